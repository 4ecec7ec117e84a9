package dev.gracekeeper.adopt.check;

import dev.gracekeeper.adopt.PodView;
import dev.gracekeeper.adopt.Workload;
import java.util.ArrayList;
import java.util.List;

/** Every rule, in id order, and running them over workloads. */
public final class Rules {
    static final NoSidecar NO_SIDECAR = new NoSidecar();
    public static final List<Rule> ALL = List.of(NO_SIDECAR, new GracePeriodMismatch(), new BudgetTooSmall(),
            new PreStopMissesSidecar(), new ClassicPostStartRace(), new SignalWithoutSharedPid(),
            new StateDirNotEmptyDir(), new StateDirShared(), new ReadinessIgnoresShutdown(),
            new NativeWithoutStartupProbe(), new SleepBesideGracekeeper(), new SidecarConfigRejected());

    private Rules() {}

    /** The README's table of rules, generated from this list. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder("| Id | Rule | Severity | Finds |\n|---|---|---|---|\n");
        for (Rule r : ALL) {
            sb.append("| ").append(r.id).append(" | `").append(r.name).append("` | ").append(r.severity.label())
                    .append(" | ").append(r.summary).append(" |\n");
        }
        return sb.toString();
    }

    public static List<Finding> check(List<Workload> workloads) {
        List<Finding> out = new ArrayList<>();
        for (Workload w : workloads) {
            PodView view = new PodView(w);
            if (view.sidecar().isEmpty()) {
                out.add(NO_SIDECAR.finding(w));
                continue;
            }
            CheckedPod pod = new CheckedPod(view);
            for (Rule r : ALL) if (r != NO_SIDECAR) r.check(pod, out);
        }
        return out;
    }
}
