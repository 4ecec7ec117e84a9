package dev.gracekeeper.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The API server stand-in's storage: EndpointSlices of one namespace, a resourceVersion that
 * grows with every write, the history of changes that a watch from an older resourceVersion
 * replays, and compaction after which such a watch gets 410 Gone.
 */
public final class SliceStore {
    static final String CUT = new String("(cut)");
    static final String SERVICE_LABEL = "kubernetes.io/service-name";

    /** One pod's entry in a slice. */
    public record Endpoint(String podName, String uid, String ip, boolean ready) {}

    private record Slice(String service, List<Endpoint> endpoints, long rv) {}

    private record Event(long rv, String type, String service, String json) {}

    private final Map<String, Slice> slices = new LinkedHashMap<>();
    private final List<Event> history = new ArrayList<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private long rv = 1000;
    private long compactedBefore;

    /** Creates or replaces a slice of {@code service}. */
    public synchronized void put(String service, String name, List<Endpoint> endpoints) {
        String type = slices.containsKey(name) ? "MODIFIED" : "ADDED";
        Slice s = new Slice(service, List.copyOf(endpoints), ++rv);
        slices.put(name, s);
        publish(new Event(rv, type, service, json(name, s)));
    }

    /** The endpoints controller after a pod turned terminating (ready false) or ready again. */
    public synchronized void setReady(String name, String uid, boolean ready) {
        Slice s = slices.get(name);
        List<Endpoint> eps = new ArrayList<>();
        for (Endpoint e : s.endpoints()) eps.add(e.uid().equals(uid) ? new Endpoint(e.podName(), uid, e.ip(), ready) : e);
        put(s.service(), name, eps);
    }

    public synchronized void delete(String name) {
        Slice s = slices.remove(name);
        publish(new Event(++rv, "DELETED", s.service(), json(name, new Slice(s.service(), s.endpoints(), rv))));
    }

    /** Forgets the history: a watch from any resourceVersion before now gets 410 Gone. */
    public synchronized void compact() {
        compactedBefore = rv;
        history.clear();
    }

    public synchronized long resourceVersion() { return rv; }

    synchronized String list(String selector) {
        Set<String> services = services(selector);
        StringBuilder items = new StringBuilder();
        for (Map.Entry<String, Slice> e : slices.entrySet()) {
            if (services != null && !services.contains(e.getValue().service())) continue;
            items.append(items.length() == 0 ? "" : ",").append(json(e.getKey(), e.getValue()));
        }
        return "{\"kind\":\"EndpointSliceList\",\"apiVersion\":\"discovery.k8s.io/v1\",\"metadata\":{\"resourceVersion\":\""
                + rv + "\"},\"items\":[" + items + "]}";
    }

    synchronized Watcher watch(long from, String selector) {
        Watcher w = new Watcher(services(selector));
        if (from < compactedBefore) {
            w.queue.add("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                    + "\"status\":\"Failure\",\"message\":\"too old resource version: " + from + " (" + compactedBefore
                    + ")\",\"reason\":\"Expired\",\"code\":410}}");
            return w;
        }
        for (Event e : history) if (e.rv() > from) w.offer(e);
        watchers.add(w);
        return w;
    }

    void unwatch(Watcher w) { watchers.remove(w); }

    /** Ends every open watch stream, as a restarting API server or a load balancer in between does. */
    public void cutWatches() {
        for (Watcher w : watchers) w.queue.add(CUT);
    }

    public int openWatches() { return watchers.size(); }

    synchronized String bookmark() {
        return "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"EndpointSlice\",\"apiVersion\":\"discovery.k8s.io/v1\","
                + "\"metadata\":{\"resourceVersion\":\"" + rv + "\"}}}";
    }

    private void publish(Event e) {
        history.add(e);
        for (Watcher w : watchers) w.offer(e);
    }

    /** One open watch: the events it still has to send. */
    static final class Watcher {
        private final Set<String> services;
        final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();

        Watcher(Set<String> services) { this.services = services; }

        void offer(Event e) {
            if (services == null || services.contains(e.service())) {
                queue.add("{\"type\":\"" + e.type() + "\",\"object\":" + e.json() + "}");
            }
        }

        String next(long waitMs) {
            try {
                return queue.poll(waitMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CUT;
            }
        }
    }

    /** null for no selector; the Services of {@code name=a} or {@code name in (a,b)}. */
    static Set<String> services(String selector) {
        if (selector.isBlank()) return null;
        String s = selector.replace(" ", "");
        if (s.startsWith(SERVICE_LABEL + "in(") && s.endsWith(")")) {
            return Set.of(s.substring(SERVICE_LABEL.length() + 3, s.length() - 1).split(","));
        }
        if (s.startsWith(SERVICE_LABEL + "=")) return Set.of(s.substring(SERVICE_LABEL.length() + 1));
        throw new IllegalArgumentException("selector not understood by the stand-in: " + selector);
    }

    private static String json(String name, Slice s) {
        StringBuilder eps = new StringBuilder();
        for (Endpoint e : s.endpoints()) {
            eps.append(eps.length() == 0 ? "" : ",").append("{\"addresses\":[\"").append(e.ip())
                    .append("\"],\"conditions\":{\"ready\":").append(e.ready()).append(",\"serving\":true,")
                    .append("\"terminating\":").append(!e.ready()).append("},\"targetRef\":{\"kind\":\"Pod\",")
                    .append("\"namespace\":\"").append(ApiServer.NAMESPACE).append("\",\"name\":\"").append(e.podName())
                    .append("\",\"uid\":\"").append(e.uid()).append("\"}}");
        }
        return "{\"kind\":\"EndpointSlice\",\"apiVersion\":\"discovery.k8s.io/v1\",\"metadata\":{\"name\":" + quote(name)
                + ",\"namespace\":\"" + ApiServer.NAMESPACE + "\",\"resourceVersion\":\"" + s.rv() + "\",\"labels\":{\""
                + SERVICE_LABEL + "\":" + quote(s.service()) + ",\"endpointslice.kubernetes.io/managed-by\":"
                + "\"endpointslice-controller.k8s.io\"}},\"addressType\":\"IPv4\",\"endpoints\":[" + eps
                + "],\"ports\":[{\"name\":\"http\",\"protocol\":\"TCP\",\"port\":8080}]}";
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
