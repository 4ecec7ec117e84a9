package dev.gracekeeper.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a shutdown's steps in order: skips the ones done before a sidecar restart, goes on past a
 * broken one (the idle wait still protects requests when the drain call failed), stops at an
 * interrupt. What the shutdown records of it is the caller's business, told through
 * {@link Progress}.
 */
final class StepRunner {
    private static final Logger log = LoggerFactory.getLogger("lifecycle");
    private final List<ShutdownStep> steps;
    private final Clock clock;

    /** Told as each step starts and after each one that finished. */
    interface Progress {
        void started(Snapshot.Step step);

        void finished(ShutdownStep step, List<String> stepsDone);
    }

    /** What the steps came to: the outcome so far, one line per step, the steps now done. */
    record Run(Outcome outcome, String detail, List<String> done) {}

    StepRunner(List<ShutdownStep> steps, Clock clock) {
        this.steps = List.copyOf(steps);
        this.clock = clock;
    }

    Run run(long generation, StepContext ctx, List<String> doneBefore, Progress progress) {
        List<String> done = new ArrayList<>(doneBefore);
        Outcome outcome = Outcome.DRAINED;
        StringBuilder detail = new StringBuilder();
        for (ShutdownStep step : steps) {
            if (done.contains(step.name())) {
                log.info("generation {}: step {} already done before the restart, skipped", generation, step.name());
                continue;
            }
            progress.started(new Snapshot.Step(step.name(), clock.now(), ctx.budget().wallTime()));
            long began = clock.nanoTime();
            String what;
            try {
                what = step.run(ctx);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcome = Outcome.FAILED;
                append(detail, step.name() + ": interrupted");
                break;
            } catch (RuntimeException | Error e) {
                // The step stays not done, so a resume retries it.
                outcome = Outcome.FAILED;
                append(detail, step.name() + " failed: " + e);
                log.error("generation {}: step {} failed; going on with the next step", generation, step.name(), e);
                continue;
            }
            log.info("generation {}: step {} ({} ms, {} ms since T0): {}", generation, step.name(),
                    clock.millisSince(began), Duration.between(ctx.firstTriggerAt(), clock.now()).toMillis(), what);
            append(detail, step.name() + ": " + what);
            done.add(step.name());
            progress.finished(step, List.copyOf(done));
        }
        if (ctx.unfinished() != null && outcome == Outcome.DRAINED) outcome = Outcome.TIMED_OUT;
        return new Run(outcome, detail.toString(), List.copyOf(done));
    }

    private static void append(StringBuilder sb, String s) {
        sb.append(sb.length() == 0 ? "" : "; ").append(s);
    }
}
