package dev.switchboard.engine;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * How this node shares its rooms with other nodes: {@link LocalCluster} (one node, in memory, the default) or
 * {@link RedisCluster} ({@code switchboard.redis.url}). The {@link Hub} and its rooms talk to the other nodes only
 * through this interface.
 *
 * <p>With a shared cluster, a room's offsets, epoch and history live in the shared store: a publication is appended
 * there ({@link #append}) and reaches the members on every node, the publishing node's included, through
 * {@link Node#publication}. Calls marked "blocking" wait for the store at most the configured timeout and throw
 * {@link Unavailable} when it cannot be reached; the caller then carries on locally (see {@link Room}).
 * Calls marked "best effort" never block and are repaired by {@link Node#resynchronize} when the store comes back.
 */
public interface Cluster {

    /** Where a room's log stands: its epoch and the offset of its latest publication. */
    record Position(String epoch, long offset) {
    }

    /** One publication as recorded in the shared log: its offset and the payload given to {@link #append}. */
    record Entry(long offset, String payload) {
    }

    /** The shared store cannot be reached (or did not answer within the timeout). */
    final class Unavailable extends Exception {
        public Unavailable(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /**
     * What the cluster tells this node. Every callback of one node runs on one thread, in the order the store
     * published them, so a room sees its publications in offset order.
     */
    interface Node {
        void publication(String room, String epoch, long offset, String payload);

        /** The room's log was reset to {@code epoch} at {@code offset}: members must resynchronize. */
        void reset(String room, String epoch, long offset);

        /** Who is in {@code room} changed on some node (or a node died). */
        void presenceChanged(String room);

        void direct(String user, String frame);

        void disconnect(String user, int code, String reason);

        /**
         * The store is reachable again after an outage, or forgot this node (restarted without persistence): bring
         * every room up to date and register this node's members and users again.
         */
        void resynchronize();

        /** The set of live nodes changed. */
        void nodesChanged();
    }

    /** False for the one-node in-memory cluster: rooms keep their own history and deliver directly. */
    boolean shared();

    /** This node's id in the cluster. */
    String node();

    /** Starts receiving; callbacks run on a thread from {@code threads}; periodic work on {@code scheduler}. */
    void start(Node node, ThreadFactory threads, ScheduledExecutorService scheduler);

    /** Whether the store answered the latest heartbeat. */
    boolean reachable();

    /** Live nodes as of the latest heartbeat (this one included). */
    int nodes();

    /** Blocking: appends a publication's payload to {@code room}'s log and announces it to every node. */
    Position append(String room, RoomPolicy policy, String payload) throws Unavailable;

    /** Blocking: where {@code room}'s log stands (a new epoch at offset 0 if the store has none). */
    Position position(String room) throws Unavailable;

    /**
     * Blocking: the publications after {@code after} up to {@code upTo}, oldest first, or empty when they are not
     * all still held (trimmed by count or older than {@code policy}'s age).
     */
    Optional<List<Entry>> range(String room, RoomPolicy policy, long after, long upTo) throws Unavailable;

    /** Blocking: gives {@code room} a new epoch (its history is discarded) and tells every node. */
    Position reset(String room) throws Unavailable;

    /** Best effort: {@code user} has {@code connections} connections in {@code room} on this node (0: none). */
    void presence(String room, String user, int connections);

    /** Blocking: users in {@code room} on other live nodes, with their connection counts. */
    Map<String, Integer> remotePresence(String room) throws Unavailable;

    /** Best effort: {@code user} has {@code connections} open connections on this node (0: none). */
    void userConnections(String user, int connections);

    /** Blocking: {@code user}'s open connections on other live nodes. */
    int remoteConnections(String user) throws Unavailable;

    /** Best effort: delivers an encoded {@code direct} frame to {@code user}'s connections on other nodes. */
    void direct(String user, String frame);

    /** Best effort: closes {@code user}'s connections on other nodes. */
    void disconnect(String user, int code, String reason);

    /** Leaves the cluster: this node's members and users are withdrawn; the client is closed. */
    void stop();
}
