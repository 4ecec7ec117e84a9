package dev.gracekeeper.adopt.check;

import java.util.List;

/** A workload without gracekeeper: told once, as information; the other rules need the sidecar. */
final class NoSidecar extends Rule {
    NoSidecar() {
        super("GK00", "no-sidecar", Severity.INFO, "The workload has no gracekeeper sidecar.");
    }

    @Override
    void check(CheckedPod pod, List<Finding> out) {
        throw new IllegalStateException("applies to pods without the sidecar only, see Rules");
    }

    Finding finding(dev.gracekeeper.adopt.Workload w) {
        return new Finding(id, name, severity, w.where(), "", w.specPath(), "no gracekeeper container: the app's"
                + " shutdown is not coordinated", "gracekeeper inject");
    }
}
