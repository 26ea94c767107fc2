package dev.switchboard.engine;

import java.util.List;
import java.util.Optional;

/**
 * The recent publications of one room, for recovery after a reconnect. Offsets grow by one per publication;
 * the epoch names this particular history: when it is lost (a restart of an in-memory history, a stream lost in
 * Redis) the epoch changes and clients learn that they cannot recover.
 *
 * <p>Not thread-safe: the room calls it under its lock.
 */
public interface RoomHistory {

    String epoch();

    /** The offset of the latest publication; 0 before the first. */
    long offset();

    /** Records the publication at {@code offset() + 1}, already encoded as its {@code message} frame. */
    void append(long offset, long timestampMillis, String frame);

    /**
     * The frames published after {@code offset}, oldest first, or empty when they are not all still held
     * (beyond the window by count or age) or {@code offset} is ahead of the history.
     */
    Optional<List<String>> since(long offset, long nowMillis);
}
