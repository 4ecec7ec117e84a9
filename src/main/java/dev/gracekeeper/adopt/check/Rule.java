package dev.gracekeeper.adopt.check;

import java.util.List;
import java.util.Map;

/** One check over a pod template that has gracekeeper; each rule has an id, a name and a severity. */
public abstract class Rule {
    public final String id;
    public final String name;
    public final Severity severity;
    /** One sentence on what the rule guards against, for the README and {@code check --help}. */
    public final String summary;

    protected Rule(String id, String name, Severity severity, String summary) {
        this.id = id;
        this.name = name;
        this.severity = severity;
        this.summary = summary;
    }

    abstract void check(CheckedPod pod, List<Finding> out);

    /** Reports a problem in {@code container} (null: the pod), at {@code field} below it. */
    protected void report(List<Finding> out, CheckedPod pod, Map<String, Object> container, String field,
                          String problem, String fix) {
        out.add(new Finding(id, name, severity, pod.view.workload.where(), container == null ? "" : pod.name(container),
                pod.field(container, field), problem, fix));
    }
}
