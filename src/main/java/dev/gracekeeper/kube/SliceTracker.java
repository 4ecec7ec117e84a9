package dev.gracekeeper.kube;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which EndpointSlices still list the pod as ready. The first LIST picks the Services whose slices
 * list the pod (by {@code targetRef.uid}); from then on every slice of those Services counts, so a
 * slice that re-shards the pod elsewhere is followed too. The pod is out of rotation when no slice
 * of those Services lists it with {@code conditions.ready} other than false (absent means ready,
 * as the API defines it).
 */
public final class SliceTracker {
    public static final String SERVICE_LABEL = "kubernetes.io/service-name";

    private final String podUid;
    private final Set<String> services = new TreeSet<>();
    private final Map<String, Boolean> listing = new TreeMap<>();   // slice -> lists the pod ready?
    private boolean listed;
    private String resourceVersion = "";

    public SliceTracker(String podUid) { this.podUid = podUid; }

    /** A LIST's answer: the first one picks the Services; a later one (after 410 Gone) starts over from it. */
    public void list(Map<String, Object> answer) {
        resourceVersion = Api.str(Api.obj(answer, "metadata"), "resourceVersion");
        listing.clear();
        for (Object o : Api.list(answer, "items")) {
            Map<String, Object> slice = Api.asObj(o);
            Boolean ready = podReady(slice);
            String service = service(slice);
            if (!listed && ready != null && !service.isEmpty()) services.add(service);
            if (ready != null && services.contains(service)) listing.put(name(slice), ready);
        }
        listed = true;
    }

    /** One watch event; returns false for a type this tracker does not handle (ERROR). */
    public boolean apply(String type, Map<String, Object> object) {
        String rv = Api.str(Api.obj(object, "metadata"), "resourceVersion");
        switch (type) {
            case "BOOKMARK":
                break;
            case "ADDED":
            case "MODIFIED":
                if (services.contains(service(object))) {
                    Boolean ready = podReady(object);
                    if (ready == null) listing.remove(name(object)); else listing.put(name(object), ready);
                }
                break;
            case "DELETED":
                listing.remove(name(object));
                break;
            default:
                return false;
        }
        if (!rv.isEmpty()) resourceVersion = rv;
        return true;
    }

    /** True when the pod is in no Service at all (only the margin is waited then). */
    public boolean inNoService() { return listed && services.isEmpty(); }

    /** True once no slice of the pod's Services lists it ready. */
    public boolean outOfRotation() { return listed && !listing.containsValue(Boolean.TRUE); }

    /** The slices that still list the pod ready, for logs and timeouts. */
    public List<String> stillListing() {
        return listing.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
    }

    public Set<String> services() { return Set.copyOf(services); }

    public String resourceVersion() { return resourceVersion; }

    /** The WATCH's label selector: the slices of the pod's Services only. */
    public String labelSelector() {
        return SERVICE_LABEL + " in (" + String.join(",", services) + ")";
    }

    /** null when the slice does not list the pod; otherwise whether it lists it ready. */
    Boolean podReady(Map<String, Object> slice) {
        Boolean found = null;
        for (Object o : Api.list(slice, "endpoints")) {
            Map<String, Object> e = Api.asObj(o);
            if (!podUid.equals(Api.str(Api.obj(e, "targetRef"), "uid"))) continue;
            boolean ready = !Boolean.FALSE.equals(Api.obj(e, "conditions").get("ready"));
            found = Boolean.TRUE.equals(found) || ready;
        }
        return found;
    }

    private static String service(Map<String, Object> slice) {
        return Api.str(Api.obj(Api.obj(slice, "metadata"), "labels"), SERVICE_LABEL);
    }

    private static String name(Map<String, Object> slice) {
        return Api.str(Api.obj(slice, "metadata"), "name");
    }
}
