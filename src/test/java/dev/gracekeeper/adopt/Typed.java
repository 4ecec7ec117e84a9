package dev.gracekeeper.adopt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gracekeeper.config.Config;
import dev.gracekeeper.config.ConfigException;
import dev.gracekeeper.config.ConfigParser;
import dev.gracekeeper.examples.Example;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * inject's output read into the real Kubernetes API types, strictly (a field the API does not
 * know fails), and the sidecar's env resolved as the kubelet would and read by the sidecar's parser.
 */
final class Typed {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Map<String, Class<? extends HasMetadata>> TYPES = Map.of("Deployment", Deployment.class,
            "StatefulSet", StatefulSet.class, "DaemonSet", DaemonSet.class, "ReplicaSet", ReplicaSet.class,
            "Job", Job.class, "CronJob", CronJob.class, "Pod", Pod.class, "Secret", Secret.class);

    final List<HasMetadata> objects = new ArrayList<>();

    Typed(String output) throws Exception {
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(output)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                List<JsonNode> items = new ArrayList<>();
                if (doc.path("kind").asText().equals("List")) doc.path("items").forEach(items::add);
                else items.add(doc);
                for (JsonNode item : items) {
                    Class<? extends HasMetadata> type = TYPES.get(item.path("kind").asText());
                    if (type != null) objects.add(Example.strict(YAML.treeToValue(item, type), item.path("kind").asText()));
                }
            }
        }
    }

    <T> T first(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " in the output"));
    }

    PodSpec pod() {
        HasMetadata w = objects.stream().filter(o -> !(o instanceof Secret)).findFirst().orElseThrow();
        if (w instanceof Deployment d) return d.getSpec().getTemplate().getSpec();
        if (w instanceof StatefulSet s) return s.getSpec().getTemplate().getSpec();
        if (w instanceof DaemonSet s) return s.getSpec().getTemplate().getSpec();
        if (w instanceof ReplicaSet s) return s.getSpec().getTemplate().getSpec();
        if (w instanceof Job j) return j.getSpec().getTemplate().getSpec();
        if (w instanceof CronJob c) return c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        return ((Pod) w).getSpec();
    }

    Container container(String name) {
        return Stream.concat(pod().getInitContainers().stream(), pod().getContainers().stream())
                .filter(c -> c.getName().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no " + name));
    }

    String token() {
        Secret s = first(Secret.class);
        return s.getStringData().get("token");
    }

    /** The sidecar's env as the kubelet gives it: the token from the Secret in the output, downward-API values. */
    Map<String, String> sidecarEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar v : container("gracekeeper").getEnv()) {
            if (v.getValue() != null) env.put(v.getName(), v.getValue());
            else if (v.getValueFrom().getSecretKeyRef() != null) env.put(v.getName(), token());
            else env.put(v.getName(), "pod-" + v.getValueFrom().getFieldRef().getFieldPath());
        }
        return env;
    }

    Config config() throws ConfigException {
        return ConfigParser.parse(sidecarEnv());
    }
}
