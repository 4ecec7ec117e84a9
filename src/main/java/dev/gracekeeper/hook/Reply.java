package dev.gracekeeper.hook;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/** An HTTP answer, or {@link #ABORT}: close the connection without one. */
record Reply(int status, String type, String body) {
    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";
    static final Reply ABORT = new Reply(0, "", "");

    static Reply json(String body) { return new Reply(200, JSON, body + "\n"); }

    static Reply text(int status, String body) { return new Reply(status, TEXT, body); }

    /** Sends it on the exchange's I/O thread; nothing is cached by anyone in between. */
    void sendOn(HttpServerExchange ex) {
        if (this == ABORT) {
            org.xnio.IoUtils.safeClose(ex.getConnection());
            return;
        }
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        ex.getResponseSender().send(body);
    }
}
