package dev.gracekeeper.hook;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.Channel;
import java.util.Optional;
import org.xnio.ChannelListener;
import org.xnio.channels.AcceptListenerSettable;

/**
 * Keeps XNIO's accept back-off short. After a failed accept (out of descriptors, of memory) XNIO 3.8
 * stops accepting for 250 ms, and multiplies that by four for each failure in a row, up to 30 s:
 * during that time no new connection is served, the kubelet's probes and hooks included. XNIO has no
 * option for it, so this reaches into the listener's private state (pinned to the XNIO version in the
 * POM; AcceptBackoffTest fails when an upgrade moves it). XNIO accepts on its own accept thread, into
 * a queue for the I/O thread; right after each accept attempt there, this looks whether it failed,
 * resets the back-off so it never grows past 250 ms, and tells the caller, which can free descriptors
 * and end the back-off at once with {@link #retryNow}. Where the state cannot be reached,
 * {@link #unavailable} says why, and the back-off grows as XNIO makes it.
 */
final class AcceptBackoff {
    private static final String QUEUED = "org.xnio.nio.QueuedNioTcpServer2";

    private final Object handle;
    private final Field backOff;
    private final Field backOffTime;
    private final Method endBackOff;
    private final Optional<String> unavailable;

    private AcceptBackoff(Object handle, Field backOff, Field backOffTime, Method endBackOff, String unavailable) {
        this.handle = handle;
        this.backOff = backOff;
        this.backOffTime = backOffTime;
        this.endBackOff = endBackOff;
        this.unavailable = Optional.ofNullable(unavailable);
    }

    /**
     * Watches the accepts of {@code server}, a listener as XNIO's NIO worker creates it;
     * {@code failed} runs on XNIO's accept thread after each failed accept.
     */
    @SuppressWarnings("unchecked")
    static AcceptBackoff watch(Object server, Runnable failed) {
        try {
            if (!server.getClass().getName().equals(QUEUED)) {
                throw new IllegalStateException("the listener is a " + server.getClass().getName() + ", not " + QUEUED);
            }
            Object real = field(server.getClass(), "realServer").get(server);
            Object[] handles = (Object[]) field(real.getClass(), "handles").get(real);
            if (handles.length != 1) throw new IllegalStateException(handles.length + " accept handles, not 1");
            Class<?> h = handles.getClass().getComponentType();
            Method end = h.getDeclaredMethod("endBackOff");
            end.setAccessible(true);
            AcceptBackoff b = new AcceptBackoff(handles[0], field(h, "backOff"), field(h, "backOffTime"), end, null);
            AcceptListenerSettable<Channel> settable = (AcceptListenerSettable<Channel>) real;
            ChannelListener<? super Channel> xnios = settable.getAcceptListener();
            settable.setAcceptListener(ch -> {
                xnios.handleEvent(ch);
                if (b.failedSinceLastLook()) failed.run();
            });
            return b;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new AcceptBackoff(null, null, null, null, e.toString());
        }
    }

    private static Field field(Class<?> c, String name) throws NoSuchFieldException {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    /** Why the back-off cannot be kept short, if it cannot. */
    Optional<String> unavailable() { return unavailable; }

    /** True once per failed accept; resets the back-off's growth, so the next one is 250 ms again. */
    private boolean failedSinceLastLook() {
        try {
            if (backOff.getBoolean(handle) && backOffTime.getInt(handle) > 0) {
                backOffTime.setInt(handle, 0);
                return true;
            }
            return false;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Ends a back-off in effect: accepting resumes now (XNIO hands the resume to its accept thread). */
    void retryNow() {
        if (handle == null) return;
        try {
            endBackOff.invoke(handle);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
