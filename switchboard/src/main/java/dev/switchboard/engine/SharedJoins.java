package dev.switchboard.engine;

import dev.switchboard.cluster.Cluster;
import dev.switchboard.cluster.LogStore;
import dev.switchboard.cluster.StoreUnavailable;
import dev.switchboard.config.RoomPolicy;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.TagFilter;
import dev.switchboard.protocol.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A join of a room on the cluster's shared log: what it asks the store before taking the room's lock (the position,
 * who is on other nodes, the range a recovery needs), and how a recovery joins that range to the node's window. No
 * state of its own; {@link SharedRoomLog} calls it.
 */
final class SharedJoins {

    private static final Logger LOG = Logger.getLogger(SharedJoins.class.getName());

    private SharedJoins() {
    }

    /**
     * The room's window as a join found it, under the lock: whether the room still needs its position from the store,
     * the window's epoch and offset, and whether the window alone serves the recovery asked for.
     */
    record Window(boolean needPosition, String epoch, long offset, boolean windowServes, boolean windowRewinds) {
        /** Under the room's lock: {@code window} as a join with these {@code since} and {@code rewind} finds it. */
        static Window of(History window, boolean positioned, boolean local, String sinceEpoch, Long sinceOffset,
                         int rewind, TagFilter filter, long nowMillis) {
            // with a filter, the window alone rewinds only when it holds the whole log: the matches may be older
            return new Window(!positioned && !local, window.epoch(), window.offset(), sinceOffset == null
                    || !window.epoch().equals(sinceEpoch) || window.since(sinceOffset, nowMillis).isPresent(),
                    local || (filter == null ? window.size() >= Math.min(rewind, window.offset())
                            : window.oldestHeld(nowMillis) <= 1));
        }
    }

    /** Attempts of a join's reads while the store answers the heartbeat: a timeout there is load, not an outage. */
    static final int ATTEMPTS = 3;

    /**
     * Off the room's lock: asks the store what the join needs; {@code unavailable} when it could not answer. A read
     * that fails while the store answered the latest heartbeat (the store, or this node, slow: a reconnect storm) is
     * asked again, up to {@link #ATTEMPTS} times: a join answered without its recovery costs the member what it missed.
     * While the store is unreachable, once: the join goes on at once, on this node's window.
     */
    static RoomLog.Prepared prepare(LogStore store, Cluster cluster, String room, RoomPolicy policy, Window s,
                                    String sinceEpoch, Long sinceOffset, int rewind, TagFilter filter) {
        for (int attempt = 1; ; attempt++) {
            try {
                return prepareOnce(store, cluster, room, policy, s, sinceEpoch, sinceOffset, rewind, filter);
            } catch (Failed e) {
                if (attempt >= ATTEMPTS || !cluster.reachable()) {
                    // FINE in an outage (the heartbeat logs it once); INFO when the store answered but too slowly
                    LOG.log(attempt >= ATTEMPTS ? Level.INFO : Level.FINE,
                            "Join of {0} without the shared log after {1} attempt(s): {2}",
                            new Object[] {room, attempt, e.getMessage()});
                    return e.prepared;
                }
            }
        }
    }

    private static RoomLog.Prepared prepareOnce(LogStore store, Cluster cluster, String room, RoomPolicy policy, Window s,
                                                String sinceEpoch, Long sinceOffset, int rewind, TagFilter filter)
            throws Failed {
        LogStore.Position at = null;
        Map<String, Integer> remote = null;
        try {
            if (s.needPosition()) {
                cluster.awaitFollowing(room); // what is published after the position is read then reaches this node
                at = store.position(room);
                // who is already here on other nodes, so that the first joiner's joined.presence shows them
                remote = cluster.remotePresence(room);
            }
            String epoch = at != null ? at.epoch() : s.epoch();
            long upTo = at != null ? at.offset() : s.offset();
            boolean wanted = sinceOffset != null && epoch.equals(sinceEpoch) && sinceOffset < upTo
                    && (at != null || !s.windowServes());
            List<LogStore.Entry> range = wanted ? store.range(room, policy, sinceOffset, upTo).orElse(null) : null;
            List<LogStore.Entry> latest = rewind > 0 && (at != null || !s.windowRewinds())
                    ? latest(store, room, upTo, rewind, filter) : null;
            return new RoomLog.Prepared(at, remote, false, epoch, upTo, range, latest);
        } catch (StoreUnavailable e) {
            throw new Failed(e, new RoomLog.Prepared(at, remote, at == null, null, 0, null, null));
        }
    }

    /** A read of a join failed: what it learned before, the join's answer should no attempt do better. */
    private static final class Failed extends Exception {
        final transient RoomLog.Prepared prepared;

        Failed(StoreUnavailable cause, RoomLog.Prepared prepared) {
            super(cause.getMessage(), cause, false, false);
            this.prepared = prepared;
        }
    }

    /** Most entries of a shared log a filtered rewind reads looking for its matches. */
    private static final int REWIND_SCAN = 10_000;

    /**
     * The latest {@code count} entries up to {@code upTo} that {@code filter} accepts (null: any), oldest first: read
     * newest first, a page at a time, until enough matched or {@link #REWIND_SCAN} were read.
     */
    private static List<LogStore.Entry> latest(LogStore store, String room, long upTo, int count, TagFilter filter)
            throws StoreUnavailable {
        if (filter == null) {
            return store.page(room, Math.max(0, upTo - count), upTo, count, false);
        }
        List<LogStore.Entry> found = new ArrayList<>();
        int page = Math.max(count, 100);
        for (long below = upTo, read = 0; found.size() < count && below > 0 && read < REWIND_SCAN; ) {
            List<LogStore.Entry> newest = store.page(room, 0, below, page, true);
            if (newest.isEmpty()) {
                break;
            }
            for (LogStore.Entry e : newest) {
                if (found.size() < count && filter.matches(Tags.ofObject(Codec.parseOrNull(e.payload()).asJsonObject()))) {
                    found.add(e);
                }
                below = e.offset() - 1;
            }
            read += newest.size();
        }
        java.util.Collections.reverse(found);
        return found;
    }

    /**
     * Under the room's lock: the latest {@code rewind} publications, oldest first — the store's latest joined to what
     * the window received after them, or the window's alone when the store was not asked (or is of another epoch).
     */
    static List<String> rewind(History window, RoomLog.Prepared prepared, String room, RoomPolicy policy, int rewind,
                               TagFilter filter, long nowMillis) {
        if (prepared.latest() == null || !window.epoch().equals(prepared.rangeEpoch())) {
            return RoomLog.latest(window, rewind, filter, nowMillis);
        }
        List<String> frames = new ArrayList<>();
        long oldest = nowMillis - policy.historyTtl().toMillis();
        for (LogStore.Entry entry : prepared.latest()) {
            SharedPayload d = SharedPayload.decode(room, window.epoch(), entry.offset(), entry.payload());
            if (d.timestampMillis() >= oldest && (filter == null || filter.matches(d.tags()))) {
                frames.add(d.frame());
            }
        }
        List<History.Entry> after = window.page(prepared.rangeUpTo(), rewind, true, filter, nowMillis);
        for (int i = after.size() - 1; i >= 0; i--) {
            frames.add(after.get(i).frame());
        }
        return frames.size() <= rewind ? frames : frames.subList(frames.size() - rewind, frames.size());
    }

    /**
     * Under the room's lock: what a join with {@code since} missed — from the window, or the store's range joined to
     * the window — or empty when not all of it is held (the member resynchronizes).
     */
    static Optional<List<String>> recover(History window, RoomLog.Prepared prepared, String room, RoomPolicy policy,
                                          String sinceEpoch, long sinceOffset, long nowMillis) {
        if (!window.epoch().equals(sinceEpoch)) {
            return Optional.empty();
        }
        Optional<List<String>> here = window.since(sinceOffset, nowMillis);
        if (here.isPresent() || prepared.range() == null || !window.epoch().equals(prepared.rangeEpoch())) {
            return here;
        }
        Optional<List<String>> after = window.since(prepared.rangeUpTo(), nowMillis);
        if (after.isEmpty()) {
            return Optional.empty(); // the window moved on past what the store gave
        }
        List<String> frames = new ArrayList<>(prepared.range().size() + after.get().size());
        long oldest = nowMillis - policy.historyTtl().toMillis();
        for (LogStore.Entry entry : prepared.range()) {
            SharedPayload d = SharedPayload.decode(room, window.epoch(), entry.offset(), entry.payload());
            if (d.timestampMillis() < oldest) {
                return Optional.empty(); // older than the history is kept
            }
            frames.add(d.frame());
        }
        frames.addAll(after.get());
        return Optional.of(frames);
    }
}
