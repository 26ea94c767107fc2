package dev.switchboard.engine;

import dev.switchboard.Switchboard.Publication;
import dev.switchboard.cluster.LogStore;
import dev.switchboard.protocol.TagFilter;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a room's offsets come from: {@link LocalRoomLog} (this node's memory is the log) or {@link SharedRoomLog}
 * (a {@link LogStore} shared by every node, with this node's window on it). Methods named {@code ...Locked} run under
 * the room's lock and never call the store; the others take the lock themselves and call the store outside it.
 */
abstract sealed class RoomLog permits LocalRoomLog, SharedRoomLog {

    /**
     * What a join learned from the store before taking the room's lock; {@link #NOTHING} for a local log. {@code range}:
     * what a recovery needs, up to {@code rangeUpTo} of {@code rangeEpoch}; {@code latest}: the latest publications
     * held up to the same position, for a rewind.
     */
    record Prepared(LogStore.Position position, java.util.Map<String, Integer> remote, boolean unavailable,
                    String rangeEpoch, long rangeUpTo, List<LogStore.Entry> range, List<LogStore.Entry> latest) {
    }

    static final Prepared NOTHING = new Prepared(null, null, false, null, 0, null, null);

    protected final Room room;
    /** This node's window on the log (the whole log, for a local room), under the room's lock. */
    protected History window;

    RoomLog(Room room, History window) {
        this.room = room;
        this.window = window;
    }

    /** Under the lock: follows {@code next} from now on; the bytes of the window it replaces go back to the budget. */
    protected void replaceWindowLocked(History next) {
        window.release();
        window = next;
    }

    /** Under the lock, as the room retires: gives its history's bytes back. */
    void releaseLocked() {
        window.release();
    }

    String epochLocked() {
        return window.epoch();
    }

    long offsetLocked() {
        return window.offset();
    }

    /** Off the room's lock, before a join: what the join needs from the store (nothing, for a local log). */
    Prepared prepareJoin(String sinceEpoch, Long sinceOffset, int rewind, TagFilter filter, long nowMillis) {
        return NOTHING;
    }

    /**
     * Under the lock: the room's latest {@code rewind} publications held that {@code filter} accepts (null: any),
     * oldest first, as {@code message} frames — the window's, joined to what {@link #prepareJoin} read of a shared log.
     */
    List<String> rewindLocked(Prepared prepared, int rewind, TagFilter filter, long nowMillis) {
        return SharedJoins.rewind(window, prepared, room.name(), room.policy(), rewind, filter, nowMillis);
    }

    /** The latest {@code count} publications {@code window} holds that {@code filter} accepts, oldest first. */
    static List<String> latest(History window, int count, TagFilter filter, long nowMillis) {
        List<History.Entry> newest = window.page(0, count, true, filter, nowMillis);
        String[] frames = new String[newest.size()];
        for (int i = 0; i < frames.length; i++) {
            frames[frames.length - 1 - i] = newest.get(i).frame();
        }
        return List.of(frames);
    }

    /** Under the lock, as a member joins: takes up what {@link #prepareJoin} learned. */
    void joiningLocked(Prepared prepared) {
    }

    /** Under the lock: what was published after {@code sinceOffset} of {@code sinceEpoch}, or empty when not all held. */
    Optional<List<String>> recoverLocked(Prepared prepared, String sinceEpoch, long sinceOffset, long nowMillis) {
        return window.epoch().equals(sinceEpoch) ? window.since(sinceOffset, nowMillis) : Optional.empty();
    }

    /**
     * A publication, or the first one made with the same idempotency key ({@code duplicate}: nothing was published).
     */
    record Published(Publication publication, boolean duplicate) {
    }

    /** The keys of keyed publications made while this node holds the log; under the room's lock. */
    protected final PublishKeys keys = new PublishKeys();

    /**
     * Publishes {@code data}; null when the room was retired meanwhile. With a {@code key} (scoped to the publisher by
     * the caller), a key already used within {@code keyWindowMillis} publishes nothing and returns the first one.
     */
    abstract Published publish(String from, JsonValue data, Map<String, String> tags, long nowMillis, String key,
                               long keyWindowMillis);

    /** Under the lock: publishes here, unless {@code key} was published here within the window. */
    protected Published publishHereOnceLocked(String from, JsonValue data, Map<String, String> tags, long nowMillis,
                                              String key, long keyWindowMillis) {
        if (key != null) {
            Publication first = keys.find(key, nowMillis);
            if (first != null) {
                return new Published(first, true);
            }
        }
        Publication publication = publishHereLocked(from, data, tags, nowMillis);
        if (key != null) {
            keys.remember(key, publication, nowMillis, keyWindowMillis);
        }
        return new Published(publication, false);
    }

    // ------------------------------------------------------------------ a shared log's part (SharedRoomLog overrides)

    /** Whether the log is the cluster's (several nodes), not this node's alone. */
    boolean shared() {
        return false;
    }

    /** A publication from the cluster's log; a local log has none. */
    void deliver(String epoch, long offset, String payload, long nowMillis) {
    }

    /** The cluster's log was reset (another node published alone during an outage); a local log has none. */
    void reset(String epoch, long offset) {
    }

    /** The store is reachable again: rejoin the cluster's log. Off the delivery thread: asks the store. */
    void resynchronize(long nowMillis) {
    }

    /** Whether what this node published has come back to its members: always, for a local log. */
    boolean deliveredOwn() {
        return true;
    }

    /** Under the room's lock: whether a shared log goes on alone for now (never, for a local log). */
    boolean isLocalLocked() {
        return false;
    }

    /** Under the lock: this node's next offset, encoded once, recorded, queued for every member. */
    protected Publication publishHereLocked(String from, JsonValue data, Map<String, String> tags, long nowMillis) {
        long offset = window.offset() + 1;
        String frame = dev.switchboard.protocol.Codec.encode(new dev.switchboard.protocol.ServerMessage.Message(
                room.name(), window.epoch(), offset, from, nowMillis, data, tags));
        window.append(offset, nowMillis, frame);
        room.broadcastLocked(frame, tags);
        return new Publication(room.name(), window.epoch(), offset);
    }
}
