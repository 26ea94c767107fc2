package dev.switchboard.engine;

import java.util.concurrent.Executor;

/**
 * How a connection's output ends: once, by its writer — the transport closed on the writer's thread, or on the closer
 * pool when a send to the peer has not completed — and when. Read by any thread (the sweep, shutdown, the admin
 * view); written by the writer only ({@link Outbox}).
 */
final class OutputEnd {

    private final Transport transport;
    /** Where a close goes that may wait for a send that has not completed; null: the writer closes. */
    private final Executor closer;
    /** The transport was closed by the writer, or the peer closed: the writer has nothing more to do. */
    private volatile boolean finished;
    /** Nanos when {@link #finished} was set, 0 before. */
    private volatile long finishedNanos;
    /** The close frame went to the container (its close call returned). */
    private volatile boolean closedOut;

    OutputEnd(Transport transport, Executor closer) {
        this.transport = transport;
        this.closer = closer;
    }

    /** Writer only: nothing more is written (the transport is being closed, or the peer closed). */
    void finish() {
        if (!finished) {
            finishedNanos = System.nanoTime();
            finished = true;
        }
    }

    /**
     * Writer only: closes the transport with {@code close}. When {@code sendInFlight} (the peer stopped reading), on the
     * closer pool: the container's close may wait for that send (Open Liberty's does), and must not hold a writer that
     * other connections need.
     */
    void close(Outbound.Close close, boolean sendInFlight) {
        finish();
        if (closer != null && sendInFlight) {
            closer.execute(() -> closeNow(close));
            return;
        }
        closeNow(close);
    }

    private void closeNow(Outbound.Close close) {
        try {
            transport.close(close.code(), close.reason());
        } finally {
            closedOut = true;
        }
    }

    boolean finished() {
        return finished;
    }

    long finishedNanos() {
        return finishedNanos;
    }

    boolean closedOut() {
        return closedOut;
    }
}
