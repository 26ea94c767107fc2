package dev.switchboard.engine;

import java.util.ArrayDeque;

/**
 * The shared log's publications a {@link SharedRoomLog} cannot deliver yet, in arrival order: those that arrive during
 * a gap fill (up to {@link #MAX_HELD}), and those that arrive before the room's first join has read the log's position
 * (only as many as the room's history keeps: the join reads the position while they arrive). Over the bound the oldest
 * is dropped: a gap the next fill or resynchronization repairs, or that members are told of. Not thread-safe: used
 * under the room's lock.
 */
final class HeldDeliveries {

    /** Deliveries held while a gap is filled, at most. */
    static final int MAX_HELD = 10_000;

    /** A publication of the shared log as the cluster delivered it. */
    record Delivery(String epoch, long offset, String payload) {
    }

    private final ArrayDeque<Delivery> held = new ArrayDeque<>();
    private final int beforePosition;

    /** {@code historySize}: the room's history size, the bound before the room is positioned. */
    HeldDeliveries(int historySize) {
        this.beforePosition = Math.max(1, historySize);
    }

    void hold(Delivery d, boolean positioned) {
        if (held.size() >= (positioned ? MAX_HELD : beforePosition)) {
            held.pollFirst();
        }
        held.addLast(d);
    }

    /** Forgets what the position {@code epoch}/{@code offset} already covers: another epoch, or not after it. */
    void dropCoveredBy(String epoch, long offset) {
        held.removeIf(d -> !d.epoch().equals(epoch) || d.offset() <= offset);
    }

    int size() {
        return held.size();
    }

    /** The oldest held delivery, removed; null when none. */
    Delivery next() {
        return held.pollFirst();
    }

    void clear() {
        held.clear();
    }
}
