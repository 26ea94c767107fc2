package dev.switchboard;

import jakarta.json.JsonValue;

/**
 * Lifecycle and publishing as CDI events. Observe them with {@code @Observes} (synchronous: keep observers fast,
 * they run on the thread that caused the event, never under a Switchboard lock) or {@code @ObservesAsync}.
 */
public sealed interface SwitchboardEvent {

    /** A connection completed its handshake and was registered. */
    record ConnectionOpened(String connection, String user, String endpoint) implements SwitchboardEvent {
    }

    /** A connection ended; {@code closeCode} as in {@link CloseCodes}. */
    record ConnectionClosed(String connection, String user, int closeCode, String reason) implements SwitchboardEvent {
    }

    /** A connection joined a room. */
    record RoomJoined(String room, String connection, String user) implements SwitchboardEvent {
    }

    /** A connection left a room (also fired for every room when it closes). */
    record RoomLeft(String room, String connection, String user) implements SwitchboardEvent {
    }

    /**
     * Another node of the cluster is gone — it missed its heartbeats ({@code switchboard.redis.node-timeout-ms}: killed,
     * or cut off from Redis) or it stopped — with the users it held: fired once in the cluster, on one surviving node
     * (or, when none survived, on the next node to start), in place of the {@link RoomLeft} and
     * {@link ConnectionClosed} events the lost node could not fire. The same user may still be connected to other nodes
     * ({@code Switchboard.presence}). See README "Several nodes on Redis" for what "once" means across a partition.
     *
     * @param node  the lost node's id
     * @param users the users it had connections for
     * @param rooms for each room it had members in, those members
     */
    record NodeLost(String node, java.util.Set<String> users, java.util.Map<String, java.util.Set<String>> rooms)
            implements SwitchboardEvent {
        public NodeLost {
            users = java.util.Set.copyOf(users);
            rooms = java.util.Map.copyOf(rooms);
        }
    }

    /** A publication was accepted into a room; {@code from} is {@code null} for server-side publications. */
    record MessagePublished(String room, String epoch, long offset, String from, JsonValue data)
            implements SwitchboardEvent {
    }
}
