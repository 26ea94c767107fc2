package dev.switchboard.cluster;

/**
 * What the link to the cluster's store says happened: each command's time to its answer, and each failure. Adapters
 * listen (the node's metrics); the cluster knows no exporter. Called on Lettuce's threads and the callers': an
 * implementation is thread-safe, never blocks and costs a few atomic adds.
 */
public interface StoreTelemetry {

    /** Nothing listens. */
    StoreTelemetry NONE = new StoreTelemetry() {
    };

    /** A command was answered, or failed, {@code nanos} after it was sent. */
    default void commandCompleted(long nanos) {
    }

    /**
     * A command failed: {@code blocking}, its caller saw {@link StoreUnavailable}; otherwise a best-effort command,
     * logged (a member's presence and a user's connections written again at the next heartbeat).
     */
    default void commandFailed(boolean blocking) {
    }
}
