package dev.gracekeeper.drain;

import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Deadline;
import dev.gracekeeper.lifecycle.ShutdownStep;
import dev.gracekeeper.lifecycle.StepContext;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Waits, with readiness already 503, while endpoints, kube-proxy and load balancers stop sending
 * new traffic; the app keeps serving meanwhile. The wait ends at T0 + delay, so a shutdown resumed
 * after a sidecar restart waits only for what is left, and never past the budget.
 */
public final class PropagationDelay implements ShutdownStep {
    public static final String NAME = "propagation-delay";

    private final Duration delay;
    private final Clock clock;
    private final CountDownLatch never = new CountDownLatch(1);

    public PropagationDelay(Duration delay, Clock clock) {
        this.delay = delay;
        this.clock = clock;
    }

    @Override
    public String name() { return NAME; }

    /** A wait: run again after a restart, it ends at once or waits only what is left. */
    @Override
    public boolean repeatable() { return true; }

    @Override
    public String run(StepContext ctx) throws InterruptedException {
        Duration elapsed = Duration.between(ctx.firstTriggerAt(), clock.now());
        Duration left = delay.minus(elapsed.isNegative() ? Duration.ZERO : elapsed);
        if (left.isNegative() || left.isZero()) {
            return "delay of " + delay.toMillis() + " ms already over (" + elapsed.toMillis() + " ms since T0)";
        }
        Duration budgetLeft = ctx.budget().remaining();
        String cut = "";
        if (budgetLeft.compareTo(left) < 0) {
            cut = "; cut from " + left.toMillis() + " ms to fit the budget";
            left = budgetLeft;
        }
        Deadline d = Deadline.after(clock, left, NAME);
        d.await(never);
        return "waited " + left.toMillis() + " ms (delay " + delay.toMillis() + " ms from T0" + cut + ")";
    }
}
