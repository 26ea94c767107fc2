package dev.switchboard.engine;

import dev.switchboard.cluster.Cluster;
import dev.switchboard.cluster.LogStore;
import dev.switchboard.cluster.StoreUnavailable;
import dev.switchboard.config.RoomPolicy;
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
                         int rewind, long nowMillis) {
            return new Window(!positioned && !local, window.epoch(), window.offset(), sinceOffset == null
                    || !window.epoch().equals(sinceEpoch) || window.since(sinceOffset, nowMillis).isPresent(),
                    local || window.size() >= Math.min(rewind, window.offset()));
        }
    }

    /** Off the room's lock: asks the store what the join needs; {@code unavailable} when it could not answer. */
    static RoomLog.Prepared prepare(LogStore store, Cluster cluster, String room, RoomPolicy policy, Window s,
                                    String sinceEpoch, Long sinceOffset, int rewind) {
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
                    ? store.page(room, Math.max(0, upTo - rewind), upTo, rewind, false) : null;
            return new RoomLog.Prepared(at, remote, false, epoch, upTo, range, latest);
        } catch (StoreUnavailable e) {
            LOG.log(Level.FINE, "Join of {0} without the shared log: {1}", new Object[] {room, e.getMessage()});
            return new RoomLog.Prepared(at, remote, at == null, null, 0, null, null);
        }
    }

    /**
     * Under the room's lock: the latest {@code rewind} publications, oldest first — the store's latest joined to what
     * the window received after them, or the window's alone when the store was not asked (or is of another epoch).
     */
    static List<String> rewind(History window, RoomLog.Prepared prepared, String room, RoomPolicy policy, int rewind,
                               long nowMillis) {
        if (prepared.latest() == null || !window.epoch().equals(prepared.rangeEpoch())) {
            return RoomLog.latest(window, rewind, nowMillis);
        }
        List<String> frames = new ArrayList<>();
        long oldest = nowMillis - policy.historyTtl().toMillis();
        for (LogStore.Entry entry : prepared.latest()) {
            SharedPayload d = SharedPayload.decode(room, window.epoch(), entry.offset(), entry.payload());
            if (d.timestampMillis() >= oldest) {
                frames.add(d.frame());
            }
        }
        List<History.Entry> after = window.page(prepared.rangeUpTo(), rewind, true, nowMillis);
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
