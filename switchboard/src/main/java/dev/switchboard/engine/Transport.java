package dev.switchboard.engine;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The socket under a {@link Connection}: on a server, a WebSocket session ({@code web.SessionTransport}, where the
 * containers' quirks of sending are handled).
 * Only the connection's single writer ({@link Outbox}) calls it: every method, the close included, one call at a time.
 */
public interface Transport {

    /** Starts sending one text frame; {@code done} gets {@code null} on success or the failure, on any thread. */
    void sendText(String text, Consumer<Throwable> done);

    /** As {@link #sendText}; the buffer is shared between recipients, so implementations must not consume it. */
    void sendBinary(ByteBuffer data, Consumer<Throwable> done);

    /**
     * Whether this transport takes a send while earlier ones are in flight, writes them in order and completes them in
     * order, so that a send's success means every earlier one went out. Then the writer hands it the text queued behind
     * a send without waiting (the container writes the frames together) and waits for the last one only; and when a
     * send completes with more queued, the writer goes on on its own thread, not the completing one (frames sent from
     * the container's I/O thread are written one at a time). False: one send in flight at a time.
     */
    default boolean takesSendsAhead() {
        return false;
    }

    /** Sends a WebSocket ping frame with {@code payload} (heartbeat); failures are ignored: the missing pong tells. */
    void ping(ByteBuffer payload);

    /** Closes with a close code from {@link dev.switchboard.CloseCodes}; may block briefly, never call under a lock. */
    void close(int code, String reason);
}
