package dev.switchboard;

import jakarta.json.JsonValue;
import java.util.List;
import java.util.Set;

/**
 * What application code uses to push: inject it ({@code @Inject Switchboard switchboard}) anywhere in the WAR.
 * All methods are thread-safe and never block on a client: delivery is queued per connection.
 */
public interface Switchboard {

    /**
     * Publishes {@code data} to every member of {@code room} (on every node) and into the room's history.
     * A room with no members still records the publication. {@code from} is {@code null} for the server.
     *
     * <p>Called inside an active JTA transaction, the publication goes out <b>after the transaction commits</b> (in
     * the order of the calls) and <b>never if it rolls back</b>; it then answers a pending {@link Publication} (epoch
     * {@code null}, offset −1), its place being known only after the commit. Direct messages ({@link #sendToUser}) go
     * at once, in a transaction or not.
     *
     * @throws IllegalArgumentException if {@code room} is not a valid room name
     * @throws Refused                 if this node is shutting down, or holds {@code switchboard.max-rooms} rooms and
     *                                  {@code room} is not one of them
     */
    default Publication publish(String room, JsonValue data) {
        return publish(room, data, null, null);
    }

    /**
     * Publishes like {@link #publish(String, JsonValue)}, once per {@code idempotencyKey} within the key window
     * ({@code switchboard.publish.key-window-ms}, default 5 minutes): a second call with the same key (a retry after a
     * timeout) publishes nothing and returns the first call's publication. Keys are the caller's to scope (e.g.
     * {@code "billing:" + invoiceId}); across nodes with Redis.
     */
    default Publication publish(String room, JsonValue data, String idempotencyKey) {
        return publish(room, data, null, idempotencyKey);
    }

    /**
     * Publishes like {@link #publish(String, JsonValue, String)}, with {@code tags}: short strings by name that the
     * members' filters ({@code join.filter}) select on — a member with a filter receives only the publications whose
     * tags match it, live, recovered or rewound. At most 16 tags; names of 1–64 letters, digits and {@code _ . : -};
     * values of at most 128 characters ({@link dev.switchboard.protocol.Tags}).
     *
     * @param tags           null or empty for none
     * @param idempotencyKey null for none
     * @throws IllegalArgumentException if {@code room} is not a valid room name or a tag breaks the rules
     */
    Publication publish(String room, JsonValue data, java.util.Map<String, String> tags, String idempotencyKey);

    /**
     * Sends {@code data} as a {@code direct} message to every connection of {@code user}, on every node of the
     * cluster.
     *
     * @return the number of connections it was queued for (on other nodes: their open connections as they last
     *         recorded them in the cluster); 0 when the user is not connected anywhere
     */
    int sendToUser(String user, JsonValue data);

    /**
     * Sends {@code data} to {@code user}'s personal stream (room {@code user:<user>}): kept with an offset, received by
     * the user's connections that joined it, recovered after a reconnect to any node — like {@link #sendToUser}, but
     * not lost while the user is away (kept as the room class {@code user}'s history says:
     * {@code switchboard.room-class.user.history.*}).
     *
     * @throws IllegalArgumentException when {@code user}'s name cannot name a room ({@code user:<user>})
     */
    Publication sendToUserStream(String user, JsonValue data);

    /**
     * Asks one connection something: sends {@code request {id, method, data}} and completes with the {@code data}
     * of the client's {@code reply}. Completes exceptionally with {@link RequestHandler.RequestFailure} whose code
     * is the client's error code, {@code timeout} when no answer came within {@code timeout},
     * {@code disconnected} when the connection closed first, or {@code unknown_connection}.
     * Never blocks; the stage completes on a Switchboard or container thread.
     */
    java.util.concurrent.CompletionStage<JsonValue> request(String connection, String method, JsonValue data,
                                                            java.time.Duration timeout);

    /** The rooms that currently have members; an immutable snapshot, never null. */
    Set<String> rooms();

    /** Who is in {@code room} and with how many connections; an immutable snapshot, empty for an unknown room. */
    List<Member> presence(String room);

    /**
     * A page of {@code room}'s history, read on demand (not only as a recovery): at most {@code limit} publications
     * (bounded by the room class's {@code history.page-max}, default 100), oldest first after {@code since} (exclusive)
     * or from the oldest kept, or the newest first when {@code newestFirst}. A {@code since} of another epoch, ahead
     * of the log or older than what is kept answers from the oldest kept with {@code recovered: false}. Reads the
     * shared log on a cluster.
     *
     * @param sinceEpoch  with {@code sinceOffset}: the last publication the caller has; both null for none
     * @throws IllegalArgumentException if {@code room} is not a valid room name or {@code limit} is below 1
     * @throws Refused                 {@code unavailable} when the shared log cannot be read now, {@code node_full}
     */
    default HistoryPage history(String room, int limit, String sinceEpoch, Long sinceOffset, boolean newestFirst) {
        return history(room, limit, sinceEpoch, sinceOffset, newestFirst, null);
    }

    /**
     * A page of {@code room}'s history like {@link #history(String, int, String, Long, boolean)}, of the publications
     * whose tags match {@code filter} only (null: every one): up to {@code limit} of them.
     */
    HistoryPage history(String room, int limit, String sinceEpoch, Long sinceOffset, boolean newestFirst,
                        dev.switchboard.protocol.TagFilter filter);

    /**
     * How many users are in {@code room} and with how many connections, on every node — presence without the list,
     * for rooms too large to list (a node without the room asks the cluster).
     *
     * @throws Refused {@code unavailable} when the cluster cannot be asked now
     */
    Occupancy occupancy(String room);

    /** The number of open connections on this node. */
    int connectionCount();

    /**
     * Closes every connection of {@code user} with {@code closeCode} (see {@link CloseCodes}: e.g. 1012 to make
     * clients reconnect, 4403 to keep them out), on this node and, with a cluster, on the others. Returns how many
     * were closed on this node.
     */
    int disconnect(String user, int closeCode, String reason);

    /** Where a publication landed: clients recover from {@code (epoch, offset)}. */
    record Publication(String room, String epoch, long offset) {
        /** Made inside a JTA transaction: it goes out after the commit, and its epoch and offset are not known yet. */
        public boolean pending() {
            return epoch == null;
        }
    }

    /**
     * A page of a room's history: the log's epoch and latest offset now, and its publications. {@code recovered}
     * (only when asked with a {@code since}): whether the page continues right after it — false when that position
     * is of another epoch, ahead of the log, or older than what is kept.
     */
    record HistoryPage(String room, String epoch, long offset, Boolean recovered, List<HistoryEntry> publications) {
        public HistoryPage {
            publications = List.copyOf(publications);
        }
    }

    /** One publication of a room's history; {@code from} is null for the server, {@code tags} when it has none. */
    record HistoryEntry(long offset, long ts, String from, JsonValue data, java.util.Map<String, String> tags) {
    }

    /** How many {@code users} are in {@code room}, with how many {@code connections} in all. */
    record Occupancy(String room, int users, int connections) {
    }

    /** A user present in a room with {@code connections} open connections. */
    record Member(String user, int connections) {
    }

    /**
     * A publication this node cannot take now, with the protocol's error code: {@code unavailable} (it is shutting
     * down: publish again on a node that is up) or {@code node_full} ({@code switchboard.max-rooms}).
     */
    final class Refused extends IllegalStateException {
        private final String code;

        public Refused(String code, String message) {
            super(message);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
