package dev.switchboard.engine;

import dev.switchboard.protocol.TagFilter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The recent publications of one room held on this node, for recovery after a reconnect, bounded by count, by age,
 * by bytes (its own bound, and the node's {@link HistoryBudget}, at which it gives up its oldest first): the whole log of a local room, or this node's window on a shared one. Offsets grow by one per publication;
 * the epoch names this particular log: when it is lost (a restart, a stream lost in Redis) the epoch changes and
 * clients learn that they cannot recover. A new instance has a new epoch unless it continues one.
 *
 * <p>Not thread-safe: its room calls it under the room's lock.
 */
final class History {

    /** A publication held: its offset, when it was published, and its {@code message} frame. */
    record Entry(long offset, long timestampMillis, String frame) {
        /** Estimated heap bytes: two per character (a bound: compact Latin-1 strings take one) and the entry's own. */
        long bytes() {
            return 2L * frame.length() + 96;
        }
    }

    private final String epoch;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final int maxSize;
    private final long ttlMillis;
    private final long maxBytes;
    private final HistoryBudget budget;
    private long offset;
    private long bytes;

    History(int maxSize, Duration ttl) {
        this(maxSize, ttl, UUID.randomUUID().toString().substring(0, 8), 0, 0, HistoryBudget.unbounded());
    }

    History(int maxSize, Duration ttl, String epoch, long offset) {
        this(maxSize, ttl, epoch, offset, 0, HistoryBudget.unbounded());
    }

    /** A new log's history (a new epoch), bounded in bytes by {@code maxBytes} (0: none) and by the node's budget. */
    History(int maxSize, Duration ttl, long maxBytes, HistoryBudget budget) {
        this(maxSize, ttl, UUID.randomUUID().toString().substring(0, 8), 0, maxBytes, budget);
    }

    /**
     * A history that continues a log at {@code offset} of {@code epoch} (a node's window on a room whose log is
     * shared): it holds what is appended from here on.
     */
    History(int maxSize, Duration ttl, String epoch, long offset, long maxBytes, HistoryBudget budget) {
        this.maxSize = maxSize;
        this.ttlMillis = ttl.toMillis();
        this.epoch = epoch;
        this.offset = offset;
        this.maxBytes = maxBytes;
        this.budget = budget;
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
            Entry entry = new Entry(offset, timestampMillis, frame);
            entries.addLast(entry);
            bytes += entry.bytes();
            budget.add(entry.bytes());
        }
        while (entries.size() > maxSize) {
            drop();
        }
        expire(timestampMillis);
        // over its own bound or the node's: the oldest go first (the newest stays: it is being delivered)
        while (entries.size() > 1 && ((maxBytes > 0 && bytes > maxBytes) || budget.over())) {
            drop();
            budget.evicted();
        }
    }

    /** Gives back every byte (the room is retired, or its window replaced). */
    void release() {
        budget.add(-bytes);
        bytes = 0;
        entries.clear();
    }

    long bytes() {
        return bytes;
    }

    /** Publications held. */
    int size() {
        return entries.size();
    }

    private void drop() {
        Entry gone = entries.removeFirst();
        bytes -= gone.bytes();
        budget.add(-gone.bytes());
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

    /**
     * At most {@code limit} of the publications held after {@code after}, oldest first, or the newest first: a page of
     * history, a rewind.
     */
    List<Entry> page(long after, int limit, boolean newestFirst, long nowMillis) {
        return page(after, limit, newestFirst, null, nowMillis);
    }

    /** A page like {@link #page(long, int, boolean, long)} of the publications {@code filter} accepts (null: all). */
    List<Entry> page(long after, int limit, boolean newestFirst, TagFilter filter, long nowMillis) {
        expire(nowMillis);
        List<Entry> found = new ArrayList<>(Math.min(limit, entries.size()));
        var order = newestFirst ? entries.descendingIterator() : entries.iterator();
        while (order.hasNext() && found.size() < limit) {
            Entry e = order.next();
            if (e.offset() > after) {
                if (filter == null || filter.matchesFrame(e.frame())) {
                    found.add(e);
                }
            } else if (newestFirst) {
                break;
            }
        }
        return found;
    }

    /** The offset of the oldest publication held; the next offset when none is. */
    long oldestHeld(long nowMillis) {
        expire(nowMillis);
        return entries.isEmpty() ? offset + 1 : entries.peekFirst().offset();
    }

    private void expire(long nowMillis) {
        while (!entries.isEmpty() && nowMillis - entries.peekFirst().timestampMillis() > ttlMillis) {
            drop();
        }
    }
}
