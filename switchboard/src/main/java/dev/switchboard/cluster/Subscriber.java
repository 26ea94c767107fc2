package dev.switchboard.cluster;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A node's subscriptions on Redis, one seam for the two ways of holding them: {@link SingleSubscriber} (one Redis: one
 * connection, {@code SUBSCRIBE}, Lettuce resubscribes after a reconnect) and {@link ShardedSubscriber} (Redis
 * Cluster: sharded pub/sub, one connection per master, resubscribed by this node slot by slot).
 *
 * <p>Two kinds of channel: broadcast ({@link #open}'s {@code broadcast}: every node's, plain pub/sub) and sharded (a
 * room's and a node's own channel, whose messages stay in their slot's shard on Redis Cluster).
 */
interface Subscriber {

    /**
     * Blocking, at most the Redis timeout: subscribes {@code events} to the broadcast channel and the sharded
     * {@code channels}; throws (a Lettuce exception) when Redis cannot be reached now.
     */
    void open(Consumer<String> events, String broadcast, Collection<String> channels);

    /** Never waits: subscribes to a sharded channel; completes when Redis confirmed it. */
    CompletableFuture<Void> subscribe(String channel);

    /** Never waits: unsubscribes from a sharded channel; a failure is logged (its events are then ignored). */
    void unsubscribe(String channel);

    /** Whether the broadcast channel's subscription is open. */
    boolean subscribed();

    /**
     * On the heartbeat thread: subscribes again what Redis dropped (a connection lost, a slot moved to another
     * master); true when it did, since the node may have missed events meanwhile and must resynchronize.
     */
    boolean repair();

    /** The command that publishes on a sharded channel, inside a Lua script: {@code PUBLISH} or {@code SPUBLISH}. */
    String publishCommand();

    /** Closes the subscriptions; {@link #open} may follow (after a failed connect). */
    void close();

    /** Closes for good, with whatever clients of its own it holds. */
    default void shutdown() {
        close();
    }
}
