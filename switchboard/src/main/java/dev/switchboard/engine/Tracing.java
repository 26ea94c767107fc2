package dev.switchboard.engine;

/**
 * Traces of publications: a publish is one trace from the socket or HTTP request, through the room, to the fan-out
 * on every node — across nodes too, the W3C trace context riding in the shared log's payload. {@link #OFF} when the
 * container provides no OpenTelemetry (or {@code switchboard.tracing=false}): every call site checks {@link #on()}
 * first, so a node without tracing does no trace work at all (no span, no context, no allocation).
 */
public interface Tracing {

    /** No tracing. */
    Tracing OFF = new Tracing() {
        @Override
        public boolean on() {
            return false;
        }

        @Override
        public Span publish(String room, String via) {
            throw new IllegalStateException("tracing is off");
        }

        @Override
        public String traceparent() {
            return null;
        }

        @Override
        public Span deliver(String room, long offset, String traceparent) {
            throw new IllegalStateException("tracing is off");
        }

        @Override
        public Span fanOut(String room, int members) {
            throw new IllegalStateException("tracing is off");
        }
    };

    /** Whether spans are made; when false, no other method may be called. */
    boolean on();

    /**
     * A publish into {@code room} ({@code via}: {@code socket} or {@code api}), a child of the caller's current span
     * (the HTTP request's, when the container traces it), current on this thread until closed.
     */
    Span publish(String room, String via);

    /** The current trace context as a W3C {@code traceparent}, or null: what the shared log carries to other nodes. */
    String traceparent();

    /** A publication from the shared log at {@code offset}, continuing {@code traceparent}; current until closed. */
    Span deliver(String room, long offset, String traceparent);

    /** Queueing a publication for {@code members} connections here, a child of the current span. */
    Span fanOut(String room, int members);

    /** A started span, current on this thread until {@link #close()}, which ends it. */
    interface Span extends AutoCloseable {
        /** The publication's offset, once known. */
        void offset(long offset);

        /** The publish was refused ({@code unavailable}, {@code node_full}). */
        void refused(String code);

        @Override
        void close();
    }
}
