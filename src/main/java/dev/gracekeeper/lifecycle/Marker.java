package dev.gracekeeper.lifecycle;

import dev.gracekeeper.os.Untrusted;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The durable record of the current generation's shutdown, in a versioned, human-readable
 * {@code key=value} format (documented in the README). {@code phase} is {@code serving},
 * {@code draining} or {@code drained}; the shutdown fields are empty while serving.
 */
public record Marker(String podUid, long generation, Phase phase, Optional<Trigger> firstTrigger,
                     Optional<Instant> firstTriggerAt, List<String> stepsDone, Optional<Outcome> outcome,
                     Optional<Instant> finishedAt, String detail, Instant updatedAt) {
    public static final int FORMAT = 1;
    static final List<String> KEYS = List.of("format", "pod_uid", "generation", "phase", "first_trigger",
            "first_trigger_at", "steps_done", "outcome", "finished_at", "detail", "updated_at");

    public Marker {
        stepsDone = List.copyOf(stepsDone);
    }

    /** Thrown with a message that names the line or key that is wrong. */
    public static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;

        FormatException(String message) { super(message); }
    }

    static Marker of(Snapshot s, String podUid, Instant now) {
        Phase stored = s.phase() == Phase.INTERRUPTED ? Phase.DRAINING : s.phase();
        Optional<ShutdownResult> r = s.lastResult().filter(x -> x.generation() == s.generation());
        return new Marker(podUid, s.generation(), stored, s.firstTrigger(), s.firstTriggerAt(), s.stepsDone(),
                r.map(ShutdownResult::outcome), r.map(ShutdownResult::finishedAt),
                r.map(ShutdownResult::detail).orElse(""), now);
    }

    public String format() {
        StringBuilder sb = new StringBuilder(512);
        sb.append("# gracekeeper idempotency marker: the shutdown of each app generation runs once.\n");
        sb.append("# Written atomically by the sidecar; see the README, \"Marker file\". Do not edit.\n");
        line(sb, "format", Integer.toString(FORMAT));
        line(sb, "pod_uid", podUid);
        line(sb, "generation", Long.toString(generation));
        line(sb, "phase", phase.label());
        line(sb, "first_trigger", firstTrigger.map(Trigger::label).orElse(""));
        line(sb, "first_trigger_at", firstTriggerAt.map(Instant::toString).orElse(""));
        line(sb, "steps_done", String.join(",", stepsDone));
        line(sb, "outcome", outcome.map(Outcome::label).orElse(""));
        line(sb, "finished_at", finishedAt.map(Instant::toString).orElse(""));
        line(sb, "detail", detail.replace('\n', ' '));
        line(sb, "updated_at", updatedAt.toString());
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append('=').append(value).append('\n');
    }

    public static Marker parse(String text) throws FormatException {
        Map<String, String> kv = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        if (!text.endsWith("\n")) throw new FormatException("truncated: the last line has no newline");
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            if (line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new FormatException("line " + (i + 1) + ": expected key=value, got '" + Untrusted.clip(line, 40) + "'");
            }
            String key = line.substring(0, eq);
            if (!KEYS.contains(key)) {
                throw new FormatException("line " + (i + 1) + ": unknown key '" + Untrusted.clip(key, 40) + "'");
            }
            if (kv.put(key, line.substring(eq + 1)) != null) {
                throw new FormatException("line " + (i + 1) + ": key '" + key + "' appears twice");
            }
        }
        String format = require(kv, "format");
        if (!format.equals(Integer.toString(FORMAT))) {
            throw new FormatException("format=" + Untrusted.clip(format, 40) + " is not supported (this version reads format "
                    + FORMAT + ")");
        }
        for (String k : KEYS) require(kv, k);
        Phase phase = phase(kv.get("phase"));
        Optional<Trigger> trigger = kv.get("first_trigger").isEmpty() ? Optional.empty()
                : Optional.of(trigger(kv.get("first_trigger")));
        Optional<Instant> triggerAt = optionalInstant(kv, "first_trigger_at");
        Optional<Outcome> outcome = kv.get("outcome").isEmpty() ? Optional.empty() : Optional.of(outcome(kv.get("outcome")));
        Optional<Instant> finished = optionalInstant(kv, "finished_at");
        if (phase != Phase.SERVING && (trigger.isEmpty() || triggerAt.isEmpty())) {
            throw new FormatException("phase=" + phase.label() + " needs first_trigger and first_trigger_at");
        }
        if (phase == Phase.DRAINED && (outcome.isEmpty() || finished.isEmpty())) {
            throw new FormatException("phase=drained needs outcome and finished_at");
        }
        // What reaches the log from here is printable: a planted marker cannot forge log lines.
        if (!kv.get("pod_uid").matches("[\\x21-\\x7e]{0,128}")) {
            throw new FormatException("pod_uid='" + Untrusted.clip(kv.get("pod_uid"), 40)
                    + "' is not a pod uid (up to 128 printable characters, no spaces)");
        }
        String steps = kv.get("steps_done");
        if (!steps.matches("([a-z0-9-]{1,64}(,[a-z0-9-]{1,64})*)?")) {
            throw new FormatException("steps_done='" + Untrusted.clip(steps, 40)
                    + "' is not a comma-separated list of step names (a-z, 0-9, -)");
        }
        List<String> stepList = steps.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(steps.split(",")));
        return new Marker(kv.get("pod_uid"), generation(kv.get("generation")), phase, trigger, triggerAt, stepList,
                outcome, finished, kv.get("detail"),
                optionalInstant(kv, "updated_at").orElseThrow(() -> new FormatException("updated_at is empty")));
    }

    private static String require(Map<String, String> kv, String key) throws FormatException {
        String v = kv.get(key);
        if (v == null) throw new FormatException("missing key '" + key + "'");
        return v;
    }

    private static long generation(String s) throws FormatException {
        if (!s.matches("[0-9]{1,18}") || Long.parseLong(s) < 1) {
            throw new FormatException("generation='" + Untrusted.clip(s, 40) + "' is not a positive integer");
        }
        return Long.parseLong(s);
    }

    private static Phase phase(String s) throws FormatException {
        switch (s) {
            case "serving": return Phase.SERVING;
            case "draining": return Phase.DRAINING;
            case "drained": return Phase.DRAINED;
            default: throw new FormatException("phase='" + Untrusted.clip(s, 40) + "' is not serving, draining or drained");
        }
    }

    private static Outcome outcome(String s) throws FormatException {
        try {
            return Outcome.fromLabel(s);
        } catch (IllegalArgumentException e) {
            throw new FormatException("outcome='" + Untrusted.clip(s, 40) + "' is not drained, timed-out or failed");
        }
    }

    private static Trigger trigger(String s) throws FormatException {
        try {
            return Trigger.fromLabel(s);
        } catch (IllegalArgumentException e) {
            throw new FormatException("first_trigger='" + Untrusted.clip(s, 40) + "' is not prestop-hook, SIGTERM or SIGINT");
        }
    }

    private static Optional<Instant> optionalInstant(Map<String, String> kv, String key) throws FormatException {
        String s = kv.get(key);
        if (s.isEmpty()) return Optional.empty();
        try {
            return Optional.of(Instant.parse(s));
        } catch (DateTimeParseException e) {
            throw new FormatException(key + "='" + Untrusted.clip(s, 40) + "' is not an ISO-8601 instant");
        }
    }

}
