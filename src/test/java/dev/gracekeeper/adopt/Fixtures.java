package dev.gracekeeper.adopt;

import java.util.Map;

/** Small app-only manifests of every workload kind, and a way to reach into the output. */
final class Fixtures {
    static final String POD_SPEC = """
            terminationGracePeriodSeconds: 40
            containers:
            - name: app
              image: registry.example.com/app:1
              x-vendor-field: kept
              ports:
              - {name: http, containerPort: 8080}
              - {name: metrics, containerPort: 9090, protocol: UDP}
            """;

    private Fixtures() {}

    /** A workload of {@code kind} named {@code web} in namespace {@code shop}, with the pod spec above. */
    static String workload(String kind) {
        return workload(kind, POD_SPEC);
    }

    /** {@code podSpec}: the pod spec's fields, unindented. */
    static String workload(String kind, String podSpec) {
        String head = "apiVersion: " + apiVersion(kind) + "\nkind: " + kind + "\nmetadata: {name: web, namespace: shop}\n";
        return switch (kind) {
            case "Pod" -> head + "spec:\n" + indent(podSpec, 2);
            case "CronJob" -> head + "spec:\n  schedule: '*/5 * * * *'\n  jobTemplate:\n    spec:\n      template:\n"
                    + "        spec:\n" + indent("restartPolicy: OnFailure\n" + podSpec, 10);
            case "Job" -> head + "spec:\n  template:\n    spec:\n" + indent("restartPolicy: Never\n" + podSpec, 6);
            default -> head + "spec:\n  selector: {matchLabels: {app: web}}\n  template:\n"
                    + "    metadata: {labels: {app: web}}\n    spec:\n" + indent(podSpec, 6);
        };
    }

    static String apiVersion(String kind) {
        return switch (kind) {
            case "Pod" -> "v1";
            case "Job", "CronJob" -> "batch/v1";
            default -> "apps/v1";
        };
    }

    static String indent(String text, int by) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) if (!line.isEmpty()) sb.append(" ".repeat(by)).append(line).append('\n');
        return sb.toString();
    }

    /** The pod spec of the first workload in an output. */
    static Map<String, Object> podSpec(String output) throws Exception {
        Manifest m = Manifest.read(output, "out");
        return Workloads.find(m.documents()).get(0).spec();
    }
}
