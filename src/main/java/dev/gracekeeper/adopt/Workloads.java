package dev.gracekeeper.adopt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the pod templates in a stream of objects: Deployment, StatefulSet, DaemonSet, ReplicaSet
 * and Job ({@code spec.template}), CronJob ({@code spec.jobTemplate.spec.template}), Pod
 * ({@code spec}), also inside a {@code kind: List}. Every other object is left alone.
 */
public final class Workloads {
    public static final List<String> KINDS = List.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
            "CronJob", "Pod");

    private Workloads() {}

    public static List<Workload> find(List<Object> documents) throws ManifestException {
        List<Workload> out = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) add(Tree.map(documents.get(i)), "document " + (i + 1), out);
        return out;
    }

    private static void add(Map<String, Object> obj, String at, List<Workload> out) throws ManifestException {
        if (obj == null) return;
        String kind = Tree.str(obj, "kind");
        if (kind != null && kind.endsWith("List") && Tree.list(obj.get("items")) != null) {
            List<Object> items = Tree.list(obj.get("items"));
            for (int i = 0; i < items.size(); i++) add(Tree.map(items.get(i)), at + " items[" + i + "]", out);
            return;
        }
        if (kind == null || !KINDS.contains(kind)) return;
        String specPath = switch (kind) {
            case "Pod" -> "spec";
            case "CronJob" -> "spec.jobTemplate.spec.template.spec";
            default -> "spec.template.spec";
        };
        Map<String, Object> meta = Tree.child(obj, "metadata");
        String name = Tree.str(meta, "name");
        String namespace = Tree.str(meta, "namespace");
        String where = kind + " " + (namespace == null ? "" : namespace + "/") + (name == null ? "(" + at + ")" : name);
        Map<String, Object> spec = Tree.path(obj, specPath);
        if (spec == null || Tree.list(spec.get("containers")) == null) {
            throw new ManifestException(where + " (" + at + "): no " + specPath + ".containers; valid: a " + kind
                    + " with its pod template, as kubectl would accept it");
        }
        out.add(new Workload(kind, namespace, name, where, specPath, spec, kind.equals("Job") || kind.equals("CronJob")));
    }
}
