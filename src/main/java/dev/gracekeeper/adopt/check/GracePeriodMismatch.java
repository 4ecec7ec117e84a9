package dev.gracekeeper.adopt.check;

import dev.gracekeeper.config.Durations;
import dev.gracekeeper.config.Var;
import java.time.Duration;
import java.util.List;

/** The sidecar's budget must be the pod's: a longer one is cut by SIGKILL, a shorter one wastes time. */
final class GracePeriodMismatch extends Rule {
    GracePeriodMismatch() {
        super("GK01", "grace-period-mismatch", Severity.ERROR,
                "GRACEKEEPER_GRACE_PERIOD differs from the pod's terminationGracePeriodSeconds (30 s when unset).");
    }

    @Override
    void check(CheckedPod pod, List<Finding> out) {
        Duration pods = Duration.ofSeconds(pod.view.gracePeriodSeconds());
        pod.duration(Var.GRACE_PERIOD).filter(d -> !d.equals(pods)).ifPresent(d -> report(out, pod, pod.sidecar,
                "env[" + Var.GRACE_PERIOD.envName() + "]", Durations.format(d) + " but terminationGracePeriodSeconds is "
                        + pods.toSeconds() + (pod.view.workload.spec().containsKey("terminationGracePeriodSeconds")
                        ? "" : " (unset: the default)"),
                "set " + Var.GRACE_PERIOD.envName() + " to " + Durations.format(pods)));
    }
}
