package dev.gracekeeper.adopt.check;

import dev.gracekeeper.adopt.Tree;
import java.util.List;

/** The kubelet waits for a native sidecar's startupProbe before it starts the app; without one it does not wait. */
final class NativeWithoutStartupProbe extends Rule {
    NativeWithoutStartupProbe() {
        super("GK09", "native-without-startup-probe", Severity.ERROR,
                "A native sidecar without a startupProbe: the app can start, and call it, before it listens.");
    }

    @Override
    void check(CheckedPod pod, List<Finding> out) {
        if (!pod.nativeSidecar() || Tree.child(pod.sidecar, "startupProbe") != null) return;
        report(out, pod, pod.sidecar, "startupProbe", "none: the kubelet starts the app as soon as the sidecar"
                + " process runs, not once it listens", "startupProbe: {httpGet: {path: /healthz, port: " + pod.port
                + "}, periodSeconds: 1, failureThreshold: 30}");
    }
}
