package dev.gracekeeper.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The part of a Kubernetes pod spec the kubelet emulator acts on. */
record PodSpec(String name, int terminationGracePeriodSeconds, boolean shareProcessNamespace,
               List<ContainerSpec> containers) {

    /** A hook's action: {@code httpGet}, or the built-in {@code sleep} action. */
    sealed interface Handler permits HttpGet, Sleep {}

    record Sleep(java.time.Duration duration) implements Handler {}

    /** {@code httpGet} of a hook or probe: always GET, to the pod IP, with static headers. */
    record HttpGet(String path, int port, Map<String, String> headers) implements Handler {
        static HttpGet of(String path, int port) { return new HttpGet(path, port, Map.of()); }

        HttpGet withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new HttpGet(path, port, h);
        }
    }

    /** APP: a regular container. NATIVE_SIDECAR: an init container with restartPolicy: Always. */
    enum Kind { APP, NATIVE_SIDECAR }

    /**
     * A container: {@code command} is what runs it as a process on this machine; with an {@code image}
     * (and podman here) the image runs instead (see {@link ContainerRuntime}). {@code security} is its
     * securityContext with the pod's.
     */
    record ContainerSpec(String name, Kind kind, List<String> command, Map<String, String> env,
                         Optional<HttpGet> postStart, Optional<Handler> preStop, Optional<HttpGet> readinessProbe,
                         Optional<HttpGet> startupProbe, Optional<Image> image, Optional<SecurityContext> security) {
        static ContainerSpec app(String name, List<String> command) {
            return new ContainerSpec(name, Kind.APP, command, Map.of(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }

        ContainerSpec image(Image i) {
            return new ContainerSpec(name, kind, command, env, postStart, preStop, readinessProbe, startupProbe,
                    Optional.of(i), security);
        }

        ContainerSpec security(SecurityContext s) {
            return new ContainerSpec(name, kind, command, env, postStart, preStop, readinessProbe, startupProbe, image,
                    Optional.of(s));
        }

        ContainerSpec kind(Kind k) {
            return new ContainerSpec(name, k, command, env, postStart, preStop, readinessProbe, startupProbe, image,
                    security);
        }

        ContainerSpec env(Map<String, String> e) {
            return new ContainerSpec(name, kind, command, Map.copyOf(e), postStart, preStop, readinessProbe,
                    startupProbe, image, security);
        }

        ContainerSpec postStart(HttpGet h) {
            return new ContainerSpec(name, kind, command, env, Optional.of(h), preStop, readinessProbe, startupProbe,
                    image, security);
        }

        ContainerSpec preStop(Handler h) {
            return new ContainerSpec(name, kind, command, env, postStart, Optional.of(h), readinessProbe, startupProbe,
                    image, security);
        }

        ContainerSpec readinessProbe(HttpGet h) {
            return new ContainerSpec(name, kind, command, env, postStart, preStop, Optional.of(h), startupProbe,
                    image, security);
        }

        ContainerSpec startupProbe(HttpGet h) {
            return new ContainerSpec(name, kind, command, env, postStart, preStop, readinessProbe, Optional.of(h),
                    image, security);
        }
    }

    /** Start order: init containers (native sidecars) first, then regular containers, each in spec order. */
    List<ContainerSpec> startOrder() {
        List<ContainerSpec> order = new ArrayList<>();
        for (ContainerSpec c : containers) if (c.kind() == Kind.NATIVE_SIDECAR) order.add(c);
        for (ContainerSpec c : containers) if (c.kind() == Kind.APP) order.add(c);
        return order;
    }
}
