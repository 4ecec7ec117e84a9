package dev.gracekeeper.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Undertow;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xnio.ChannelListeners;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/** The back-off's private state is where this XNIO version keeps it (FloodIT tests the behaviour). */
class AcceptBackoffTest {
    @Test
    void reachesTheAcceptBackoffOfXniosListener() throws Exception {
        XnioWorker worker = Xnio.getInstance(Undertow.class.getClassLoader())
                .createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        try {
            AcceptingChannel<StreamConnection> server = worker.createStreamConnectionServer(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ChannelListeners.closingChannelListener(),
                    OptionMap.EMPTY);
            AcceptBackoff b = AcceptBackoff.watch(server, () -> { });
            assertEquals(Optional.empty(), b.unavailable(), "if an XNIO upgrade moved it, update AcceptBackoff");
            b.retryNow();
            server.close();
        } finally {
            worker.shutdownNow();
        }
    }

    @Test
    void anotherKindOfListenerIsReportedNotTouched() {
        AcceptBackoff b = AcceptBackoff.watch(new Object(), () -> { });
        assertTrue(b.unavailable().orElseThrow().contains("java.lang.Object"), b.unavailable().toString());
        b.retryNow();
    }
}
