package dev.gracekeeper.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One folder of {@code examples/}: its manifest read into the real Kubernetes API types, strictly
 * (a field the API does not know is an error, not silently kept aside), and the parts the tests
 * and the pod bed act on: the gracekeeper container, the app container and the sidecar's env.
 */
public final class Example {
    public static final Path ROOT = Path.of("examples");
    public static final String SIDECAR = "gracekeeper";

    public final String name;
    public final Path dir;
    public final Deployment deployment;
    public final Optional<Service> service;
    public final Optional<NetworkPolicy> networkPolicy;
    /** Secrets in the manifest (as {@code gracekeeper inject --emit-secret} writes them), by name. */
    public final Map<String, Secret> secrets;

    private Example(String name, Path dir, Deployment deployment, Optional<Service> service,
                    Optional<NetworkPolicy> networkPolicy, Map<String, Secret> secrets) {
        this.name = name;
        this.dir = dir;
        this.deployment = deployment;
        this.service = service;
        this.networkPolicy = networkPolicy;
        this.secrets = Map.copyOf(secrets);
    }

    /** Every folder under {@code examples/} with a {@code deployment.yaml}. */
    public static List<String> names() {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("deployment.yaml")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Example load(String name) {
        Path dir = ROOT.resolve(name);
        Path file = dir.resolve("deployment.yaml");
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Deployment deployment = null;
        Service service = null;
        NetworkPolicy policy = null;
        Map<String, Secret> secrets = new LinkedHashMap<>();
        try (MappingIterator<JsonNode> docs = yaml.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                String kind = doc.path("kind").asText();
                switch (kind) {
                    case "Deployment" -> deployment = strict(yaml.treeToValue(doc, Deployment.class), file + " Deployment");
                    case "Service" -> service = strict(yaml.treeToValue(doc, Service.class), file + " Service");
                    case "NetworkPolicy" -> policy = strict(yaml.treeToValue(doc, NetworkPolicy.class),
                            file + " NetworkPolicy");
                    case "Secret" -> {
                        Secret secret = strict(yaml.treeToValue(doc, Secret.class), file + " Secret");
                        secrets.put(secret.getMetadata().getName(), secret);
                    }
                    default -> throw new IllegalArgumentException(file + ": unexpected kind '" + kind
                            + "'; an example holds a Deployment and optionally a Service, a NetworkPolicy and"
                            + " Secrets");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        if (deployment == null) throw new IllegalArgumentException(file + ": no Deployment");
        return new Example(name, dir, deployment, Optional.ofNullable(service), Optional.ofNullable(policy),
                secrets);
    }

    public PodSpec pod() { return deployment.getSpec().getTemplate().getSpec(); }

    /** The gracekeeper container, wherever it is declared. */
    public Container sidecar() {
        return allContainers().filter(c -> c.getName().equals(SIDECAR)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + ": no container named " + SIDECAR));
    }

    /** True when gracekeeper is an init container with restartPolicy: Always. */
    public boolean nativeSidecar() {
        return pod().getInitContainers().stream()
                .anyMatch(c -> c.getName().equals(SIDECAR) && "Always".equals(c.getRestartPolicy()));
    }

    /** The regular containers other than gracekeeper. */
    public List<Container> apps() {
        return pod().getContainers().stream().filter(c -> !c.getName().equals(SIDECAR)).toList();
    }

    public Stream<Container> allContainers() {
        return Stream.concat(pod().getInitContainers().stream(), pod().getContainers().stream());
    }

    /**
     * The sidecar's environment as the kubelet would give it: literal values, and the downward
     * API fields from {@code downward} (keys {@code metadata.name}, {@code metadata.namespace},
     * {@code metadata.uid}), and keys of Secrets in the manifest. Any other source is an error.
     */
    public Map<String, String> sidecarEnv(Map<String, String> downward) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar v : sidecar().getEnv()) {
            if (v.getValue() != null) {
                env.put(v.getName(), v.getValue());
            } else if (v.getValueFrom() != null && v.getValueFrom().getFieldRef() != null) {
                String field = v.getValueFrom().getFieldRef().getFieldPath();
                String value = downward.get(field);
                if (value == null) throw new IllegalArgumentException(name + ": env " + v.getName() + " uses field "
                        + field + "; known: " + downward.keySet());
                env.put(v.getName(), value);
            } else if (v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null) {
                env.put(v.getName(), secretValue(v.getValueFrom().getSecretKeyRef()));
            } else {
                throw new IllegalArgumentException(name + ": env " + v.getName() + " has a source the tests do not know");
            }
        }
        return env;
    }

    /** A key of a Secret in the manifest, as the kubelet would read it. */
    private String secretValue(SecretKeySelector ref) {
        Secret s = secrets.get(ref.getName());
        if (s == null) throw new IllegalArgumentException(name + ": no Secret " + ref.getName() + " in the manifest");
        if (s.getStringData() != null && s.getStringData().containsKey(ref.getKey())) return s.getStringData().get(ref.getKey());
        if (s.getData() != null && s.getData().containsKey(ref.getKey())) {
            return new String(java.util.Base64.getDecoder().decode(s.getData().get(ref.getKey())),
                    java.nio.charset.StandardCharsets.UTF_8);
        }
        throw new IllegalArgumentException(name + ": Secret " + ref.getName() + " has no key " + ref.getKey());
    }

    /**
     * fabric8's types keep unknown fields in {@code additionalProperties} instead of failing;
     * a typo like {@code readinesProbe} would pass unnoticed. Walks the object graph and fails on
     * any.
     */
    public static <T> T strict(T root, String where) {
        List<String> unknown = new ArrayList<>();
        walk(root, where, unknown, new IdentityHashMap<>());
        if (!unknown.isEmpty()) throw new IllegalArgumentException("fields the Kubernetes API does not know: " + unknown);
        return root;
    }

    private static void walk(Object o, String path, List<String> unknown, IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) return;
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) walk(e, path + "[" + i++ + "]", unknown, seen);
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) walk(e.getValue(), path + "." + e.getKey(), unknown, seen);
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) return;
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            try {
                Object v = m.invoke(o);
                if (m.getName().equals("getAdditionalProperties")) {
                    if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        for (Object k : extra.keySet()) unknown.add(path + "." + k);
                    }
                } else {
                    String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                    walk(v, path + "." + field, unknown, seen);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(path + "." + m.getName() + ": " + e, e);
            }
        }
    }
}
