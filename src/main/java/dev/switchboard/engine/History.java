package dev.switchboard.engine;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The recent publications of one room held on this node, for recovery after a reconnect, bounded by count and by
 * age: the whole log of a local room, or this node's window on a shared one. Offsets grow by one per publication;
 * the epoch names this particular log: when it is lost (a restart, a stream lost in Redis) the epoch changes and
 * clients learn that they cannot recover. A new instance has a new epoch unless it continues one.
 *
 * <p>Not thread-safe: its room calls it under the room's lock.
 */
final class History {

    private record Entry(long offset, long timestampMillis, String frame) {
    }

    private final String epoch;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final int maxSize;
    private final long ttlMillis;
    private long offset;

    History(int maxSize, Duration ttl) {
        this(maxSize, ttl, UUID.randomUUID().toString().substring(0, 8), 0);
    }

    /**
     * A history that continues a log at {@code offset} of {@code epoch} (a node's window on a room whose log is
     * shared): it holds what is appended from here on.
     */
    History(int maxSize, Duration ttl, String epoch, long offset) {
        this.maxSize = maxSize;
        this.ttlMillis = ttl.toMillis();
        this.epoch = epoch;
        this.offset = offset;
    }

    public String epoch() {
        return epoch;
    }

    public long offset() {
        return offset;
    }

    public void append(long offset, long timestampMillis, String frame) {
        if (offset != this.offset + 1) {
            throw new IllegalArgumentException("offset " + offset + " does not follow " + this.offset);
        }
        this.offset = offset;
        if (maxSize > 0) {
            entries.addLast(new Entry(offset, timestampMillis, frame));
        }
        while (entries.size() > maxSize) {
            entries.removeFirst();
        }
        expire(timestampMillis);
    }

    public Optional<List<String>> since(long from, long nowMillis) {
        expire(nowMillis);
        if (from > offset) {
            return Optional.empty();
        }
        if (from == offset) {
            return Optional.of(List.of());
        }
        long oldestHeld = entries.isEmpty() ? offset + 1 : entries.peekFirst().offset();
        if (from + 1 < oldestHeld) {
            return Optional.empty();
        }
        List<String> frames = new ArrayList<>((int) (offset - from));
        for (Entry e : entries) {
            if (e.offset() > from) {
                frames.add(e.frame());
            }
        }
        return Optional.of(frames);
    }

    private void expire(long nowMillis) {
        while (!entries.isEmpty() && nowMillis - entries.peekFirst().timestampMillis() > ttlMillis) {
            entries.removeFirst();
        }
    }
}
