package dev.gracekeeper.adopt.check;

import dev.gracekeeper.config.Var;
import java.util.List;

/** A signal can only reach a process the sidecar can see: the pod must share one PID namespace. */
final class SignalWithoutSharedPid extends Rule {
    SignalWithoutSharedPid() {
        super("GK05", "signal-without-shared-pid", Severity.ERROR,
                "GRACEKEEPER_APP_DRAIN_SIGNAL without shareProcessNamespace: true.");
    }

    @Override
    void check(CheckedPod pod, List<Finding> out) {
        String signal = pod.env.get(Var.APP_DRAIN_SIGNAL.envName());
        if (signal == null || signal.isBlank()) return;
        if (Boolean.TRUE.equals(pod.view.workload.spec().get("shareProcessNamespace"))) return;
        report(out, pod, null, "shareProcessNamespace", "the sidecar cannot see the app's process to send it "
                + signal.trim() + " (" + Var.APP_DRAIN_SIGNAL.envName() + ")", "shareProcessNamespace: true");
    }
}
