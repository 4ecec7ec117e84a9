package dev.gracekeeper.adopt;

import java.util.Map;

/**
 * One pod template found in the input: the object that holds it and the pod spec itself, which
 * is the very map in the loaded tree (changing it changes the output).
 *
 * @param where    the object, as {@code Deployment shop/web}, for every message
 * @param specPath where the pod spec sits in the object, e.g. {@code spec.template.spec}
 * @param job      the pods run to completion (Job, CronJob): a classic sidecar would keep them running
 */
public record Workload(String kind, String namespace, String name, String where, String specPath,
                       Map<String, Object> spec, boolean job) {

    /** The field {@code field} of the pod spec, as a path in the object. */
    public String field(String field) {
        return specPath + "." + field;
    }
}
