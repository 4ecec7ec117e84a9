package dev.gracekeeper.os;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.Optional;
import jnr.constants.platform.Signal;
import jnr.posix.util.SunMiscSignal;

/**
 * Traps SIGTERM and SIGINT through the JVM's own signal dispatch (sun.misc.Signal, through jnr-posix's
 * thin wrapper of it), never through a native libc handler: a native handler runs Java code inside the
 * signal context and can crash the JVM or lose the signal. The handler only enqueues the signal; Main
 * consumes it. Installed first thing, so a signal that arrives during startup is kept, not lost.
 * Not through {@code POSIXFactory.getJavaPOSIX()}: that loads jnr-ffi's platform classes, which only
 * the drain signal needs.
 */
public final class SignalTrap {
    private final BlockingQueue<StopSignal> received = new LinkedBlockingQueue<>();

    public static SignalTrap install() {
        SignalTrap trap = new SignalTrap();
        SunMiscSignal.signal(Signal.SIGTERM, s -> trap.received.offer(StopSignal.SIGTERM));
        SunMiscSignal.signal(Signal.SIGINT, s -> trap.received.offer(StopSignal.SIGINT));
        return trap;
    }

    /** The next signal received, waiting at most {@code millis}. */
    public Optional<StopSignal> next(long millis) throws InterruptedException {
        return Optional.ofNullable(received.poll(millis, TimeUnit.MILLISECONDS));
    }

    /** Waits for the next signal: the sidecar serves until one arrives, however long that is. */
    public StopSignal await() throws InterruptedException {
        return received.take();
    }
}
