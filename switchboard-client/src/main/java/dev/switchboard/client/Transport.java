package dev.switchboard.client;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The seam between the client and a WebSocket implementation: {@link JakartaTransport} (the Jakarta WebSocket client
 * API: Tyrus standalone, or a server's own client) and the unit tests' fake. A transport calls its {@link Listener}
 * from its own threads; the client hands every call over to its event thread at once, so a listener never blocks the
 * socket's reader.
 */
public interface Transport {

    /**
     * Opens a connection offering {@code subprotocols} in order, with {@code headers} on the handshake request (e.g.
     * the application's own {@code Authorization}). Completes with the connection once the handshake succeeded,
     * exceptionally when it failed (an HTTP refusal, a network error).
     */
    CompletionStage<Connection> connect(URI uri, List<String> subprotocols, Map<String, List<String>> headers, Listener listener);

    /** An open connection. */
    interface Connection {
        /** Sends one text frame without blocking the caller; a failure closes the connection. */
        void send(String text);

        /** Starts a close handshake with {@code code}; {@link Listener#onClose} follows. */
        void close(int code, String reason);

        /** The subprotocol the server selected ({@code switchboard.v1} or {@code switchboard.v1.batch}). */
        String subprotocol();
    }

    /** What a connection reports, from the transport's threads, in this order. */
    interface Listener {
        /** The handshake succeeded: before any {@link #onText}. */
        void onOpen(Connection connection);

        void onText(String text);

        /** Exactly once per connection that opened: the code and reason of the close (1006 when there was none). */
        void onClose(int code, String reason);
    }
}
