package dev.switchboard.engine;

/**
 * What the engine says happened, as it happens: one call per event, with its measurement. The engine keeps no
 * exporter's type: adapters outside it listen and turn the events into the stats view, Prometheus series and health
 * checks ({@code dev.switchboard.telemetry.NodeMetrics}). Traces have their own seam ({@link Tracing}).
 *
 * <p>Contract: called on the engine's hot paths, from any thread, sometimes under a room's lock — an implementation
 * is thread-safe, never blocks and costs a few uncontended atomic adds. The engine calls one instance (the CDI wiring
 * hands it the node's {@code NodeMetrics}); {@link #NONE} when nothing listens. Durations come from the one clock read
 * the engine makes anyway: no event costs the engine a second one.
 */
public interface Telemetry {

    /** Nothing listens. */
    Telemetry NONE = new Telemetry() {
    };

    /** A message in: a protocol frame on a socket, a frame of a plain room connection, or a publish of the application's. */
    default void messageReceived() {
    }

    /** A publication was accepted into a room. */
    default void published() {
    }

    /** A publish was answered with an earlier publication: the same idempotency key within the window. */
    default void duplicatePublished() {
    }

    /** An {@code ack} was queued (publish or send). */
    default void acked() {
    }

    /** An {@code error} reply with {@code code} (one of the protocol's) was queued. */
    default void errorAnswered(String code) {
    }

    /** A connection ended with {@code code}, as the container reported it. */
    default void connectionClosed(int code) {
    }

    /** A connection is closed with 4008: queue over its bound, send failed or timed out, or not reading. */
    default void slowConsumerClosed() {
    }

    /** A connection is closed with 4000: its heartbeat went unanswered. */
    default void heartbeatClosed() {
    }

    /** A send completed (or failed) {@code nanos} after it started. */
    default void sendCompleted(long nanos) {
    }

    /** One publication was queued for {@code members} connections of a room on this node in {@code nanos}. */
    default void fannedOut(int members, long nanos) {
    }

    /** The writers ran a probe queued behind their sends (once per sweep): they are not stuck. */
    default void writersRan() {
    }

    /** The liveness sweep ran (about once a second). */
    default void swept() {
    }
}
