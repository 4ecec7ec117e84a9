package dev.gracekeeper.adopt.check;

import dev.gracekeeper.config.Durations;
import dev.gracekeeper.config.Var;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Delay and stop reserve must fit in the grace period, or the sidecar refuses to start. */
final class BudgetTooSmall extends Rule {
    BudgetTooSmall() {
        super("GK02", "budget-too-small", Severity.ERROR,
                "GRACEKEEPER_DRAIN_DELAY + GRACEKEEPER_STOP_RESERVE is not below the grace period.");
    }

    @Override
    void check(CheckedPod pod, List<Finding> out) {
        Optional<Duration> delay = pod.duration(Var.DRAIN_DELAY);
        Optional<Duration> reserve = pod.duration(Var.STOP_RESERVE);
        if (delay.isEmpty() || reserve.isEmpty()) return;
        Duration grace = Duration.ofSeconds(pod.view.gracePeriodSeconds());
        Optional<Duration> env = pod.duration(Var.GRACE_PERIOD);
        if (env.isPresent() && env.get().compareTo(grace) < 0) grace = env.get();
        Duration used = delay.get().plus(reserve.get());
        if (used.compareTo(grace) < 0) return;
        report(out, pod, pod.sidecar, "env[" + Var.DRAIN_DELAY.envName() + "]", "delay " + Durations.format(delay.get())
                        + " + stop reserve " + Durations.format(reserve.get()) + " = " + Durations.format(used)
                        + " leaves nothing of the grace period " + Durations.format(grace),
                "a delay below " + Durations.format(grace.minus(reserve.get())) + ", or a longer"
                        + " terminationGracePeriodSeconds (and " + Var.GRACE_PERIOD.envName() + ")");
    }
}
