package dev.switchboard.engine;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's bound on history: the estimated heap bytes every room's {@link History} holds, together. A history that
 * records a publication while the node is over the bound gives up its own oldest publications first (counted as
 * evicted); a client asking for an evicted range gets {@code recovered: false}. Thread-safe.
 */
final class HistoryBudget {

    private final long maxBytes;
    private final AtomicLong used = new AtomicLong();
    private final LongAdder evicted = new LongAdder();

    /** {@code maxBytes} 0: no bound (the bytes are still counted). */
    HistoryBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    static HistoryBudget unbounded() {
        return new HistoryBudget(0);
    }

    void add(long bytes) {
        used.addAndGet(bytes);
    }

    boolean over() {
        return maxBytes > 0 && used.get() > maxBytes;
    }

    /** A publication dropped from a history before its time (count or age) for lack of room. */
    void evicted() {
        evicted.increment();
    }

    long usedBytes() {
        return used.get();
    }

    long evictedCount() {
        return evicted.sum();
    }

    long maxBytes() {
        return maxBytes;
    }
}
