package dev.gracekeeper.e2e;

import dev.gracekeeper.examples.Example;
import dev.gracekeeper.e2e.PodSpec.ContainerSpec;
import dev.gracekeeper.e2e.PodSpec.HttpGet;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns an example's Deployment into the bed's pod spec, so the bed runs what users copy: the
 * containers, their order and kind, hooks, probes, grace period, shared process namespace and the
 * sidecar's env come from the manifest. Only what a container image would supply is filled in
 * here: each image maps to the same program on this machine, and each volume to a directory.
 */
final class Manifests {
    static final String GRACEKEEPER_IMAGE = "gracekeeper:";
    static final String NGINX_IMAGE = "nginxinc/nginx-unprivileged:";
    static final String APP_IMAGE = "registry.example.com/your-api:";

    private Manifests() {}

    /** The pod spec of pod {@code name} (its files under {@code podDir}) from example {@code e}. */
    static PodSpec pod(Example e, String name, Path podDir) {
        Map<String, String> downward = Map.of("metadata.name", name, "metadata.namespace", "bed", "metadata.uid",
                "uid-" + name);
        List<ContainerSpec> containers = new ArrayList<>();
        Optional<String> image = Images.gracekeeper();
        for (Container c : e.pod().getInitContainers()) {
            if (!"Always".equals(c.getRestartPolicy())) {
                throw new IllegalArgumentException(e.name + ": init container " + c.getName() + " without"
                        + " restartPolicy: Always; the bed runs native sidecars only");
            }
            containers.add(container(e, c, podDir, downward, image).kind(PodSpec.Kind.NATIVE_SIDECAR));
        }
        for (Container c : e.pod().getContainers()) containers.add(container(e, c, podDir, downward, image));
        return new PodSpec(name, e.pod().getTerminationGracePeriodSeconds().intValue(),
                Boolean.TRUE.equals(e.pod().getShareProcessNamespace()), containers);
    }

    /** The port the examples' app listens on, from its manifest. */
    static int appPort(Example e) {
        return e.apps().get(0).getPorts().get(0).getContainerPort();
    }

    /**
     * With the image (podman here), the sidecar runs it with its volumes mounted where the manifest
     * says, and every container gets the manifest's securityContext; else the jar, paths on volumes
     * turned into the pod's directories.
     */
    private static ContainerSpec container(Example e, Container c, Path podDir, Map<String, String> downward,
                                           Optional<String> image) {
        ContainerSpec spec = ContainerSpec.app(c.getName(), command(e, c, podDir));
        if (c.getName().equals(Example.SIDECAR)) {
            Map<String, String> env = new LinkedHashMap<>();
            e.sidecarEnv(downward).forEach((k, v) -> env.put(k, image.isPresent() ? v : onVolume(c, v, podDir)));
            spec = spec.env(env);
            if (image.isPresent()) {
                Map<Path, String> volumes = new LinkedHashMap<>();
                for (VolumeMount m : c.getVolumeMounts()) volumes.put(volume(podDir, m), m.getMountPath());
                spec = spec.image(new Image(image.get(), volumes));
            }
        }
        if (image.isPresent()) spec = spec.security(SecurityContext.of(e.pod().getSecurityContext(), c));
        if (c.getLifecycle() != null) {
            if (c.getLifecycle().getPostStart() != null) spec = spec.postStart(get(c.getLifecycle().getPostStart().getHttpGet()));
            if (c.getLifecycle().getPreStop() != null) spec = spec.preStop(get(c.getLifecycle().getPreStop().getHttpGet()));
        }
        if (c.getReadinessProbe() != null) spec = spec.readinessProbe(get(c.getReadinessProbe().getHttpGet()));
        if (c.getStartupProbe() != null) spec = spec.startupProbe(get(c.getStartupProbe().getHttpGet()));
        return spec;
    }

    private static HttpGet get(HTTPGetAction a) {
        HttpGet h = HttpGet.of(a.getPath(), a.getPort().getIntVal());
        if (a.getHttpHeaders() != null) {
            for (HTTPHeader x : a.getHttpHeaders()) h = h.withHeader(x.getName(), x.getValue());
        }
        return h;
    }

    /** What the image would run: the same program on this machine. */
    private static List<String> command(Example e, Container c, Path podDir) {
        String image = c.getImage();
        if (image.startsWith(GRACEKEEPER_IMAGE)) return Specs.sidecarCommand();
        if (image.startsWith(NGINX_IMAGE)) return Specs.nginx(podDir, c.getPorts().get(0).getContainerPort());
        if (image.startsWith(APP_IMAGE)) return Specs.testApp(c.getPorts().get(0).getContainerPort(), 0, "graceful");
        throw new IllegalArgumentException(e.name + ": the bed has no stand-in for image " + image);
    }

    /** A path on one of the container's volumes becomes the same path under the pod's dir. */
    private static String onVolume(Container c, String value, Path podDir) {
        for (VolumeMount m : c.getVolumeMounts()) {
            if (value.equals(m.getMountPath()) || value.startsWith(m.getMountPath() + "/")) {
                return volume(podDir, m) + value.substring(m.getMountPath().length());
            }
        }
        return value;
    }

    /** The pod's directory for a volume. */
    private static Path volume(Path podDir, VolumeMount m) {
        try {
            return Files.createDirectories(podDir.resolve("volumes").resolve(m.getName()));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
