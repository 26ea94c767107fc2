package dev.switchboard.cluster;

import dev.switchboard.config.RoomPolicy;
import java.util.List;
import java.util.Optional;

/**
 * Where a shared room's log lives: offsets and epochs assigned by the store, publications held for recovery, and each
 * append announced to every node ({@link Cluster.Listener#publication}). {@link MemoryLogStore} keeps it in this
 * process; {@link RedisLogStore} in Redis, shared by every node.
 *
 * <p>Every method is blocking: it waits at most the store's timeout and throws {@link StoreUnavailable}. Callers make
 * these calls outside every room lock and never on the thread that delivers publications in order.
 */
public interface LogStore {

    /** Where a room's log stands: its epoch and the offset of its latest publication. */
    record Position(String epoch, long offset) {
    }

    /** One publication as recorded in the log: its offset and the payload given to {@link #append}. */
    record Entry(long offset, String payload) {
    }

    /** Appends a publication's payload to {@code room}'s log, at the next offset, and announces it to every node. */
    Position append(String room, RoomPolicy policy, String payload) throws StoreUnavailable;

    /** What {@link #appendOnce} did: appended at {@code position}, or found {@code key} there ({@code duplicate}). */
    record Appended(Position position, boolean duplicate) {
    }

    /**
     * {@link #append}, unless {@code key} was appended to {@code room} within the last {@code windowMillis}: then
     * nothing is appended or announced and the first append's position is returned. Checked and recorded atomically
     * with the append, so two nodes given the same key at once append it once.
     */
    Appended appendOnce(String room, RoomPolicy policy, String payload, String key, long windowMillis) throws StoreUnavailable;

    /** Where {@code room}'s log stands (a new epoch at offset 0 if the store has none). */
    Position position(String room) throws StoreUnavailable;

    /**
     * The publications after {@code after} up to {@code upTo}, oldest first, or empty when they are not all still held
     * (trimmed by count, expired, or lost).
     */
    Optional<List<Entry>> range(String room, RoomPolicy policy, long after, long upTo) throws StoreUnavailable;

    /**
     * What is still held of {@code room}'s log after {@code after} up to {@code upTo}: at most {@code limit}
     * publications, oldest first, or the newest first when {@code newestFirst}. Unlike {@link #range}, a part is an
     * answer (a page of history): whatever is held; the caller checks their age against the room's history.
     */
    List<Entry> page(String room, long after, long upTo, int limit, boolean newestFirst) throws StoreUnavailable;

    /** Gives {@code room} a new epoch at its current offset (its history is discarded) and tells every node. */
    Position reset(String room) throws StoreUnavailable;
}
