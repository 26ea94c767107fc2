package dev.switchboard.cluster;

import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * This node among others: which nodes are live, who is where (room presence, users' connections), direct messages
 * and disconnects across nodes, and the events that carry publications from the {@link LogStore}. Two
 * implementations: {@link LocalCluster} (one node, nothing shared; the default) and {@link RedisCluster}
 * ({@code switchboard.redis.url}). A room's log is not here: see {@link LogStore}.
 *
 * <p>Calls marked "blocking" wait for the store at most its timeout and throw {@link StoreUnavailable}; callers make
 * them outside every room lock and never on the thread that delivers {@link Listener} events. Calls marked "best
 * effort" never wait; a failure is logged and counted ({@link #failures}) and repaired by
 * {@link Listener#resynchronize} when the store is back.
 */
public interface Cluster {

    /**
     * What the cluster tells this node. {@link #publication} and {@link #reset} of one node run on one thread, in the
     * order the store published them, so a room sees its publications in offset order; that thread must never wait
     * for the store. The other callbacks may run on another thread.
     */
    interface Listener {
        /** A publication appended to {@code room}'s shared log (by any node, this one included). */
        void publication(String room, String epoch, long offset, String payload);

        /** {@code room}'s log was reset to {@code epoch} at {@code offset}: members must resynchronize. */
        void reset(String room, String epoch, long offset);

        /** Who is in {@code room} changed on some node (or a node died). */
        void presenceChanged(String room);

        void direct(String user, String frame);

        void disconnect(String user, int code, String reason);

        /** An operator removed {@code user} (null: every member) from {@code room}, on every node. */
        void removeFromRoom(String room, String user);

        /**
         * Another node asks this one {@code question} about {@code argument} ({@link #askEveryNode}); the answer (any
         * text, JSON by convention; null: nothing to say). Runs on the thread that delivers publications in order: it
         * must answer from memory, never wait.
         */
        String answer(String question, String argument);

        /**
         * The store is reachable again after an outage, or forgot this node (restarted without persistence): bring
         * every room up to date and register this node's members and users again.
         */
        void resynchronize();

        /**
         * Calls failed since the last heartbeat while the store answered it and no subscription was lost — the store,
         * or this node, was slow, not gone: repair what may have diverged, not everything. Rooms that went on alone
         * rejoin the shared log, rooms whose presence could not be read read it again, and the presence of
         * {@code presence}'s users (room → users) and the connections of {@code users}, whose writes failed, are
         * written again. On the heartbeat's thread: must not wait.
         */
        void repair(Map<String, java.util.Set<String>> presence, java.util.Set<String> users);

        /** The set of live nodes changed. */
        void nodesChanged();

        /**
         * Another node is gone with these users and room members (see {@code SwitchboardEvent.NodeLost}): told to one
         * node of the cluster only. May run on any of the cluster's threads.
         */
        void nodeLost(String node, java.util.Set<String> users, Map<String, java.util.Set<String>> rooms);
    }

    /** False for the one-node cluster: rooms keep their own log and deliver directly. */
    boolean shared();

    /** This node's id in the cluster. */
    String node();

    /** Starts receiving; callbacks run on threads from {@code threads}; periodic work on {@code scheduler}. */
    void start(Listener listener, ThreadFactory threads, ScheduledExecutorService scheduler);

    /**
     * Non-blocking: a room named {@code room} now exists on this node (a member joins it, or this node publishes into
     * it): its events ({@link Listener#publication}, {@link Listener#reset}, {@link Listener#presenceChanged}) are
     * delivered here from now on, until as many {@link #unfollow} calls. Events of rooms this node does not follow may
     * not reach it at all (a shared cluster's traffic per node grows with its own rooms, not with every room's).
     */
    default void follow(String room) {
    }

    /** Non-blocking: one room named {@code room} was retired on this node (see {@link #follow}). */
    default void unfollow(String room) {
    }

    /**
     * Blocking: returns once {@code room}'s events reach this node, so that a position of its log read after it misses
     * nothing that follows; at once when they already do (each join and publish asks).
     */
    default void awaitFollowing(String room) throws StoreUnavailable {
    }

    /** Whether the store answered the latest heartbeat. */
    boolean reachable();

    /** Live nodes as of the latest heartbeat (this one included). */
    int nodes();

    /** Best-effort commands that failed since start (each also logged). */
    long failures();

    /** Best effort: {@code user} has {@code connections} connections in {@code room} on this node (0: none). */
    void presence(String room, String user, int connections);

    /** Blocking: users in {@code room} on other live nodes, with their connection counts. */
    Map<String, Integer> remotePresence(String room) throws StoreUnavailable;

    /** Best effort: {@code user} has {@code connections} open connections on this node (0: none). */
    void userConnections(String user, int connections);

    /** Blocking: {@code user}'s open connections on other live nodes. */
    int remoteConnections(String user) throws StoreUnavailable;

    /** Best effort: delivers an encoded {@code direct} frame to {@code user}'s connections on other nodes. */
    void direct(String user, String frame);

    /**
     * Blocking: {@link #direct} to the other live nodes that hold {@code user}, reading who holds it once; how many of
     * the user's connections those nodes hold (0: nothing was sent).
     */
    default int directElsewhere(String user, String frame) throws StoreUnavailable {
        int elsewhere = remoteConnections(user);
        if (elsewhere > 0) {
            direct(user, frame);
        }
        return elsewhere;
    }

    /** Best effort: closes {@code user}'s connections on other nodes. */
    void disconnect(String user, int code, String reason);

    /** Best effort: removes {@code user} (null: every member) from {@code room} on other nodes. */
    void removeFromRoom(String room, String user);

    /**
     * Blocking, at most {@code wait}: every other live node's {@link Listener#answer} to {@code question} about
     * {@code argument}, by node id; a node that did not answer in time is missing from the map. The one way a node
     * asks the others something (an operator's view across nodes).
     */
    Map<String, String> askEveryNode(String question, String argument, java.time.Duration wait) throws StoreUnavailable;

    /** Blocking: {@code user}'s open connections on every live node (this one included), by node id. */
    Map<String, Integer> connectionsByNode(String user) throws StoreUnavailable;

    /** Leaves the cluster: this node's members and users are withdrawn; the client is closed. */
    void stop();
}
