package dev.switchboard.engine;

import dev.switchboard.config.SlowConsumerPolicy;
import java.util.Iterator;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The items an {@link Outbox} has yet to send, bounded by count and by size (characters of text, bytes of binary),
 * with the room's slow-consumer policy applied at the bound: conflation slots replaced in place, the oldest droppable
 * publication dropped to make room, or the item refused (the outbox then ends the connection with 4008).
 *
 * <p>Any thread adds; only the outbox's writer takes ({@link #poll}, {@link #took}, {@link #discard}), except that
 * making room for a drop-oldest publication removes the oldest droppable one on the adding thread.
 */
final class OutboundQueue {

    private static final java.lang.invoke.VarHandle MESSAGES = Handles.field(OutboundQueue.class, "messages", int.class);
    private static final java.lang.invoke.VarHandle SIZE = Handles.field(OutboundQueue.class, "size", long.class);
    private static final java.lang.invoke.VarHandle DROPPED = Handles.field(OutboundQueue.class, "dropped", long.class);

    private final int maxMessages;
    private final long maxSize;
    private final Queue<Outbound> queue = new ConcurrentLinkedQueue<>();
    /** The conflation slots waiting, by room; made on the first (only conflating rooms have them). Through LATEST. */
    private volatile Map<String, Outbound.Latest> latest;
    private static final java.lang.invoke.VarHandle LATEST = Handles.field(OutboundQueue.class, "latest", Map.class);

    private Map<String, Outbound.Latest> latest() {
        Map<String, Outbound.Latest> map = latest;
        if (map == null) {
            map = new ConcurrentHashMap<>();
            if (!LATEST.compareAndSet(this, null, map)) {
                map = latest;
            }
        }
        return map;
    }

    /** Takes {@code slot} out of the waiting slots, when there are any. */
    private void forget(Outbound.Latest slot) {
        Map<String, Outbound.Latest> map = latest;
        if (map != null) {
            map.remove(slot.room(), slot);
        }
    }
    private volatile int messages; // through MESSAGES
    private volatile long size; // through SIZE
    private volatile long dropped; // through DROPPED
    private final QueueBudget budget;

    OutboundQueue(int maxMessages, long maxSize) {
        this(maxMessages, maxSize, QueueBudget.unbounded());
    }

    /** {@code budget}: the node's bound, shared by every queue of the node. */
    OutboundQueue(int maxMessages, long maxSize, QueueBudget budget) {
        this.maxMessages = maxMessages;
        this.maxSize = maxSize;
        this.budget = budget;
    }


    /** Items queued (or taken by the writer and not yet sent). */
    int messages() {
        return messages;
    }

    /** Publications dropped or conflated away so far. */
    long dropped() {
        return dropped;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /**
     * Replaces the unsent publication of conflating {@code room} with {@code text}; false when none waits (then
     * {@link #add} a new {@link Outbound.Latest}).
     */
    boolean conflate(String room, String text) {
        Map<String, Outbound.Latest> slots = latest;
        Outbound.Latest slot = slots == null ? null : slots.get(room);
        if (slot != null) {
            String previous = slot.text().get();
            if (previous != null && slot.text().compareAndSet(previous, text)) {
                SIZE.getAndAdd(this, (long) (text.length() - previous.length()));
                budget.resized(text.length() - previous.length());
                DROPPED.getAndAdd(this, 1L);
                return true;
            }
        }
        return false;
    }

    /**
     * Adds {@code item} within the bound — this queue's, and the node's {@link QueueBudget} — under {@code policy};
     * false when it does not fit.
     */
    boolean add(Outbound item, SlowConsumerPolicy policy) {
        long itemSize = item.size();
        int count = (int) MESSAGES.getAndAdd(this, 1) + 1;
        long total = (long) SIZE.getAndAdd(this, itemSize) + itemSize;
        while (count > maxMessages || total > maxSize || !budget.admits(total - itemSize, itemSize)) {
            if (policy == SlowConsumerPolicy.DISCONNECT || !dropOldest()) {
                MESSAGES.getAndAdd(this, -1);
                SIZE.getAndAdd(this, (long) (-itemSize));
                return false;
            }
            count = messages;
            total = size;
        }
        budget.hold(item, itemSize);
        if (item instanceof Outbound.Latest slot) {
            latest().put(slot.room(), slot);
        }
        queue.offer(item);
        return true;
    }

    /** An item that goes regardless of the bound (the graceful close). */
    void addAlways(Outbound item) {
        MESSAGES.getAndAdd(this, 1);
        queue.offer(item);
    }

    /** Writer only: the next item, not yet accounted for (see {@link #took}). */
    Outbound poll() {
        return queue.poll();
    }

    /** Writer only: {@code item} left the queue; for text, its text, or null when a conflation slot was emptied. */
    String took(Outbound item) {
        MESSAGES.getAndAdd(this, -1);
        if (item instanceof Outbound.Latest slot) {
            forget(slot);
            String text = slot.text().getAndSet(null);
            if (text != null) {
                SIZE.getAndAdd(this, (long) (-text.length()));
                budget.resized(-text.length());
            }
            return text;
        }
        SIZE.getAndAdd(this, (long) (-item.size()));
        budget.release(item, item.size());
        if (item instanceof Outbound.Text t) {
            return t.text();
        }
        return item instanceof Outbound.Droppable d ? d.text() : null;
    }

    /** Writer only: drops everything (the connection is closing). */
    void discard() {
        Outbound item;
        while ((item = queue.poll()) != null) {
            MESSAGES.getAndAdd(this, -1);
            SIZE.getAndAdd(this, (long) (-left(item)));
        }
    }

    /** Removes the oldest droppable publication; false when there is none. */
    private boolean dropOldest() {
        for (Iterator<Outbound> it = queue.iterator(); it.hasNext(); ) {
            Outbound item = it.next();
            if ((item instanceof Outbound.Droppable || item instanceof Outbound.Latest) && queue.remove(item)) {
                SIZE.getAndAdd(this, (long) (-left(item)));
                MESSAGES.getAndAdd(this, -1);
                DROPPED.getAndAdd(this, 1L);
                return true;
            }
        }
        return false;
    }

    /** {@code item} left the queue unsent (dropped or discarded): gives its size back to the node; its size. */
    private long left(Outbound item) {
        if (item instanceof Outbound.Latest slot) {
            forget(slot);
            String text = slot.text().getAndSet(null);
            long was = text == null ? 0 : text.length();
            budget.resized(-was);
            return was;
        }
        budget.release(item, item.size());
        return item.size();
    }

    /** What {@link #batch} took: how many messages, and the non-text item it stopped at (null: none). Writer only. */
    static final class Batch {
        int messages;
        Outbound carry;
    }

    /**
     * Writer only: the text of the next item, conflated-away slots skipped; null when the queue is empty or the next
     * item is not text (a binary or close item, left in {@code into.carry} to go next, on its own).
     */
    String nextText(Batch into) {
        into.carry = null;
        Outbound next;
        while ((next = poll()) != null) {
            if (next instanceof Outbound.Binary || next instanceof Outbound.Close) {
                into.carry = next;
                return null;
            }
            String text = took(next);
            if (text != null) {
                return text;
            }
        }
        return null;
    }

    /**
     * Writer only: {@code first} and the text messages queued behind it, one per line, up to {@code maxChars}
     * (conflated ones skipped); stops at a binary or close item, which it leaves in {@code into.carry} to go next, on
     * its own.
     */
    String batch(String first, int maxChars, Batch into) {
        into.messages = 1;
        into.carry = null;
        StringBuilder batch = null;
        String more;
        while ((batch == null ? first.length() : batch.length()) < maxChars && (more = nextText(into)) != null) {
            if (batch == null) { // sized once: most batches fill up to the bound under load
                batch = new StringBuilder(Math.min(maxChars + more.length(), 4 * (first.length() + more.length())))
                        .append(first);
            }
            batch.append('\n').append(more);
            into.messages++;
        }
        return batch == null ? first : batch.toString();
    }
}
