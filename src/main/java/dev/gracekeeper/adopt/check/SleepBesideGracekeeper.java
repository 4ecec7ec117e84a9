package dev.gracekeeper.adopt.check;

import dev.gracekeeper.adopt.Handlers;
import dev.gracekeeper.adopt.Tree;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** A preStop sleep next to gracekeeper waits blindly a second time, or instead of it. */
final class SleepBesideGracekeeper extends Rule {
    SleepBesideGracekeeper() {
        super("GK10", "sleep-beside-gracekeeper", Severity.WARNING,
                "A container's preStop sleeps although gracekeeper waits for the propagation itself.");
    }

    @Override
    void check(CheckedPod pod, List<Finding> out) {
        for (Map<String, Object> c : pod.view.apps()) {
            Map<String, Object> preStop = Tree.child(Tree.child(c, "lifecycle"), "preStop");
            OptionalLong sleep = Handlers.sleepSeconds(preStop);
            if (sleep.isEmpty()) continue;
            report(out, pod, c, "lifecycle.preStop", Handlers.describe(preStop) + " waits " + sleep.getAsLong()
                    + "s blindly, beside gracekeeper's measured wait", "remove it; set GRACEKEEPER_DRAIN_DELAY to "
                    + sleep.getAsLong() + "s if that is the propagation time");
        }
    }
}
