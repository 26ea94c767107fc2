package dev.switchboard.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's bound on what its connections have yet to send: characters of text and bytes of binary held by every
 * {@link OutboundQueue} together, a frame shared by many queues (a broadcast, encoded once) counted once — it is
 * counted when the first queue takes it and given back when the last one lets it go ({@link Outbound#holders()}).
 *
 * <p>At the bound, a queue that holds more than its share ({@code maxSize} / open connections) is treated as full:
 * its room's slow-consumer policy applies (the oldest droppable publication goes, or the connection ends with 4008),
 * while queues within their share go on taking frames. So the slowest connections pay for the node's memory, not the
 * ones that keep up; the overshoot is bounded because every queue over its share stops growing. Thread-safe.
 */
final class QueueBudget {

    private final long maxSize;
    private final AtomicLong used = new AtomicLong();
    private final AtomicInteger queues = new AtomicInteger();
    private final LongAdder refusals = new LongAdder();

    /** {@code maxSize} 0: no bound (the size is still counted). */
    QueueBudget(long maxSize) {
        this.maxSize = maxSize;
    }

    static QueueBudget unbounded() {
        return new QueueBudget(0);
    }

    /** A connection's queue starts counting for the share. */
    void opened() {
        queues.incrementAndGet();
    }

    /** A connection's queue no longer counts for the share. */
    void closed() {
        queues.decrementAndGet();
    }

    /**
     * Whether a queue now holding {@code queueSize} may take {@code itemSize} more: false when the node is at its bound
     * and that queue holds more than its share.
     */
    boolean admits(long queueSize, long itemSize) {
        if (maxSize <= 0 || used.get() + itemSize <= maxSize) {
            return true;
        }
        if (queueSize + itemSize <= maxSize / Math.max(1, queues.get())) {
            return true;
        }
        refusals.increment();
        return false;
    }

    /** Times a queue over its share met the node's bound (a drop or a 4008 followed). */
    long refusals() {
        return refusals.sum();
    }

    /** {@code item} (of {@code size}) went into a queue. */
    void hold(Outbound item, long size) {
        AtomicInteger holders = item.holders();
        if (holders == null || holders.getAndIncrement() == 0) {
            used.addAndGet(size);
        }
    }

    /** {@code item} (of {@code size}) left a queue: sent, dropped or discarded. */
    void release(Outbound item, long size) {
        AtomicInteger holders = item.holders();
        if (holders == null || holders.decrementAndGet() == 0) {
            used.addAndGet(-size);
        }
    }

    /** A change of {@code delta} in an item never shared (a conflation slot replaced in place). */
    void resized(long delta) {
        used.addAndGet(delta);
    }

    long usedSize() {
        return used.get();
    }

    long maxSize() {
        return maxSize;
    }
}
