package dev.switchboard.engine;

import dev.switchboard.Switchboard.Publication;
import dev.switchboard.cluster.Cluster;
import dev.switchboard.cluster.LogStore;
import dev.switchboard.cluster.StoreUnavailable;
import dev.switchboard.config.RoomPolicy;
import dev.switchboard.protocol.TagFilter;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A room whose log is shared by every node ({@link LogStore}): the store assigns offsets and epochs; this node keeps
 * a window of recent publications for quick recovery, and follows the log as the cluster delivers it.
 *
 * <p>Threads and the store: a publication is appended by the publishing thread, outside the room's lock. The
 * cluster delivers publications on one thread, in order ({@link #deliver}); that thread never waits for the store:
 * a gap (publications missed while the subscription was down) is filled from the store on {@code background}, while
 * later deliveries wait, in order, in {@link #held}. A join asks the store for the position and a recovery range
 * before taking the room's lock ({@link #prepareJoin}). Resynchronization after an outage runs on {@code background}.
 *
 * <p>Faults: while the store is unreachable the room goes on here alone ({@link #local}), under an epoch of its own
 * once something is published here; {@link #resynchronize} rejoins the shared log (resetting it when this node
 * published alone). Members never see a silent gap: what is missed is delivered from the log, or they are told to
 * resynchronize ({@code joined}, {@code recovered: false}).
 */
final class SharedRoomLog extends RoomLog {

    private static final Logger LOG = Logger.getLogger(SharedRoomLog.class.getName());

    private final LogStore store;
    private final Cluster cluster;
    private final Executor background;
    private final RoomPolicy policy; // the rest under the room's lock:
    private boolean positioned; // the window continues the shared log at a known position
    private boolean local; // the store was unreachable: publications are delivered on this node only
    private boolean publishedLocally; // something was published here while local: other nodes missed it
    private boolean filling; // a gap fill is under way: deliveries wait in held
    private final HeldDeliveries held;
    /** Counts the times the room adopted another position (a reset, a resynchronization), under the lock. */
    private long generation;
    /** The latest position this node appended (acknowledged to its publisher), until it comes back through deliver(). */
    private volatile LogStore.Position appended;

    SharedRoomLog(Room room, LogStore store, Cluster cluster, Executor background) {
        super(room, room.newHistory());
        this.store = store;
        this.cluster = cluster;
        this.background = background;
        this.policy = room.policy();
        this.held = new HeldDeliveries(policy.historySize());
    }

    @Override
    Prepared prepareJoin(String sinceEpoch, Long sinceOffset, int rewind, TagFilter filter, long nowMillis) {
        SharedJoins.Window found = room.locked(() -> SharedJoins.Window.of(window, positioned, local, sinceEpoch,
                sinceOffset, rewind, filter, nowMillis));
        return SharedJoins.prepare(store, cluster, room.name(), policy, found, sinceEpoch, sinceOffset, rewind, filter);
    }

    @Override
    void joiningLocked(Prepared prepared) {
        if (positioned || local) {
            return;
        }
        if (prepared.position() == null) {
            local = prepared.unavailable(); // resynchronize() joins the shared log when the store is back
            return;
        }
        replaceWindowLocked(room.newHistory(prepared.position().epoch(), prepared.position().offset()));
        positioned = true;
        if (prepared.remote() != null) {
            room.remotePresenceLocked(prepared.remote());
        }
        // what arrived between the store's answer and now; anything of another epoch came before the position was read
        held.dropCoveredBy(prepared.position().epoch(), prepared.position().offset());
        replayLocked(System.currentTimeMillis());
    }

    @Override
    Optional<List<String>> recoverLocked(Prepared prepared, String sinceEpoch, long sinceOffset, long nowMillis) {
        return SharedJoins.recover(window, prepared, room.name(), policy, sinceEpoch, sinceOffset, nowMillis);
    }

    @Override
    Published publish(String from, JsonValue data, java.util.Map<String, String> tags, long nowMillis, String key,
                      long keyWindowMillis) {
        Boolean alone = room.locked(() -> {
            if (room.retiredLocked()) {
                return null;
            }
            room.touchLocked(nowMillis);
            return local;
        });
        if (alone == null) {
            return null;
        }
        if (!alone) {
            try {
                cluster.awaitFollowing(room.name()); // its own publication comes back to this node (see deliveredOwn)
                String payload = SharedPayload.encode(from, nowMillis, data, tags,
                        room.tracing.on() ? room.tracing.traceparent() : null);
                if (key == null) {
                    LogStore.Position at = store.append(room.name(), policy, payload);
                    appended(at);
                    return new Published(new Publication(room.name(), at.epoch(), at.offset()), false); // delivered back through deliver()
                }
                // the store checks and records the key atomically with the append: once across every node
                LogStore.Appended at = store.appendOnce(room.name(), policy, payload, key, keyWindowMillis);
                appended(at.position());
                return new Published(new Publication(room.name(), at.position().epoch(), at.position().offset()), at.duplicate());
            } catch (StoreUnavailable e) {
                LOG.log(Level.INFO, "Room {0} goes on on this node alone: {1}", new Object[] {room.name(), e.getMessage()});
            }
        }
        return room.locked(() -> {
            if (room.retiredLocked()) {
                return null;
            }
            local = true;
            if (!publishedLocally) {
                // members follow this node alone from here: an epoch of its own, so nobody mistakes it for the shared log
                publishedLocally = true;
                if (positioned) {
                    replaceWindowLocked(room.newHistory());
                    // they followed the shared log until now: told so before the first local publication, never a
                    // silent change of epoch (ClusterIT's partition test)
                    room.resynchronizeMembersLocked(window.epoch(), window.offset());
                }
            }
            return publishHereOnceLocked(from, data, tags, nowMillis, key, keyWindowMillis);
        });
    }

    private synchronized void appended(LogStore.Position at) {
        LogStore.Position before = appended;
        if (before == null || !before.epoch().equals(at.epoch()) || before.offset() < at.offset()) {
            appended = at;
        }
    }

    /**
     * Whether everything this node appended has come back to it and was handed to its members (shutdown waits for it:
     * a publication acknowledged here is delivered to the members here before they are told 1001). A log reset or a
     * retired room has nothing to wait for.
     */
    @Override
    boolean deliveredOwn() {
        LogStore.Position own = appended;
        if (own == null) {
            return true;
        }
        return room.locked(() -> room.retiredLocked() || local || !own.epoch().equals(window.epoch())
                || window.offset() >= own.offset());
    }

    /**
     * On the cluster's delivery thread: a publication of the shared log. Delivered in offset order exactly once; a gap
     * is filled from the store on the background executor (later deliveries wait), or, when the store no longer holds
     * it, the members are told to resynchronize. Never waits for the store.
     */
    @Override
    void deliver(String epoch, long offset, String payload, long nowMillis) {
        room.locked(() -> {
            if (room.retiredLocked() || local) {
                return; // local: resynchronize() catches up when the store is back
            }
            if (!positioned || filling) {
                held.hold(new HeldDeliveries.Delivery(epoch, offset, payload), positioned);
                return;
            }
            applyLocked(new HeldDeliveries.Delivery(epoch, offset, payload), nowMillis);
        });
    }

    private void applyLocked(HeldDeliveries.Delivery d, long nowMillis) {
        if (!d.epoch().equals(window.epoch())) {
            adoptLocked(d.epoch(), d.offset() - 1);
        } else if (d.offset() <= window.offset()) {
            return; // already delivered (or before this node followed the room)
        } else if (d.offset() > window.offset() + 1) {
            filling = true;
            held.hold(d, positioned);
            String epoch = window.epoch();
            long after = window.offset();
            background.execute(() -> fill(epoch, after, d.offset() - 1));
            return;
        }
        appendLocked(d.epoch(), d.offset(), d.payload());
    }

    /**
     * The next publication of the log: recorded in the window and queued for every member here; traced as a delivery
     * continuing the publish's trace, when both are traced.
     */
    private void appendLocked(String epoch, long offset, String payload) {
        SharedPayload decoded = SharedPayload.decode(room.name(), epoch, offset, payload);
        window.append(offset, decoded.timestampMillis(), decoded.frame());
        if (!room.tracing.on() || decoded.traceparent() == null) {
            room.broadcastLocked(decoded.frame(), decoded.tags());
            return;
        }
        try (Tracing.Span span = room.tracing.deliver(room.name(), offset, decoded.traceparent())) {
            room.broadcastLocked(decoded.frame(), decoded.tags());
        }
    }

    /** On the background executor: the publications after {@code after} up to {@code upTo}, from the store. */
    private void fill(String epoch, long after, long upTo) {
        Optional<List<LogStore.Entry>> missed;
        try {
            missed = store.range(room.name(), policy, after, upTo);
        } catch (StoreUnavailable e) {
            LOG.log(Level.INFO, "Room {0}: offsets {1} to {2} not read from the log ({3}); members resynchronize",
                    new Object[] {room.name(), after + 1, upTo, e.getMessage()});
            missed = Optional.empty();
        }
        Optional<List<LogStore.Entry>> found = missed;
        room.locked(() -> {
            filling = false;
            if (room.retiredLocked() || local) {
                held.clear();
                return;
            }
            long now = System.currentTimeMillis();
            if (window.epoch().equals(epoch) && window.offset() == after) {
                if (found.isPresent()) {
                    for (LogStore.Entry entry : found.get()) {
                        appendLocked(epoch, entry.offset(), entry.payload());
                    }
                } else {
                    adoptLocked(epoch, upTo); // not all held any more: members resynchronize
                }
            }
            replayLocked(now);
        });
    }

    /** Delivers what waited, in order, until it is all delivered or another gap needs a fill. */
    private void replayLocked(long nowMillis) {
        int waiting = held.size();
        for (int i = 0; i < waiting && !filling && positioned; i++) {
            applyLocked(held.next(), nowMillis);
        }
    }

    /** On the delivery thread: the log was reset (another node published alone during an outage). */
    @Override
    void reset(String epoch, long offset) {
        room.locked(() -> {
            if (room.retiredLocked() || local || (positioned && epoch.equals(window.epoch()))) {
                return; // already there (this node reset it), or catching up later
            }
            held.clear(); // all of the old epoch: they came before the reset
            adoptLocked(epoch, offset);
        });
    }

    /**
     * Off the delivery thread, when the store is reachable again: rejoins the shared log. Publications made here alone
     * reset it (new epoch, every node's members told to resynchronize); otherwise what was missed is filled from the
     * log, or the members are told to resynchronize when it is not all held.
     */
    @Override
    void resynchronize(long nowMillis) {
        // up to three attempts: the log may move on (a reset from another node) while the store is asked
        for (int attempt = 0; attempt < 3 && !resynchronizeOnce(nowMillis); attempt++) {
            LOG.log(Level.FINE, "Room {0}: the log moved on during a resynchronization; asking again", room.name());
        }
    }

    /** One attempt; false when the window was replaced between reading the store and taking the lock. */
    private boolean resynchronizeOnce(long nowMillis) {
        long[] seen = new long[2]; // the generation, and the offset delivered before the store is asked
        Boolean reset = room.locked(() -> {
            seen[0] = generation;
            seen[1] = window.offset();
            return room.retiredLocked() ? null : publishedLocally;
        });
        if (reset == null) {
            return true;
        }
        LogStore.Position at;
        try {
            // a room made while Redis was away may not be subscribed yet: its events must reach this node first
            cluster.awaitFollowing(room.name());
            at = reset ? store.reset(room.name()) : store.position(room.name());
        } catch (StoreUnavailable e) {
            room.locked(() -> {
                local = true; // still unreachable: again on the next resynchronization
            });
            return true;
        }
        return room.locked(() -> {
            if (room.retiredLocked()) {
                return true;
            }
            if (generation != seen[0] && !reset) {
                // a reset arrived while the store was asked: what it answered may be older than what the room follows
                return false;
            }
            if (reset) {
                adoptLocked(at.epoch(), at.offset());
            } else if (!positioned) {
                if (room.size() > 0 && (window.offset() > 0 || at.offset() > 0)) {
                    adoptLocked(at.epoch(), at.offset());
                } else {
                    replaceWindowLocked(room.newHistory(at.epoch(), at.offset()));
                }
            } else if (!at.epoch().equals(window.epoch()) || at.offset() < seen[1]) {
                adoptLocked(at.epoch(), at.offset()); // lost (a new epoch), or behind what was delivered before asking
            } else if (at.offset() > window.offset() && !filling) {
                filling = true;
                String epoch = window.epoch();
                long after = window.offset();
                background.execute(() -> fill(epoch, after, at.offset()));
            }
            positioned = true;
            local = false;
            publishedLocally = false;
            replayLocked(nowMillis);
            return true;
        });
    }

    /** Follows the shared log from {@code offset} of {@code epoch}; members are told to resynchronize. */
    private void adoptLocked(String epoch, long offset) {
        generation++;
        replaceWindowLocked(room.newHistory(epoch, offset));
        positioned = true;
        local = false;
        publishedLocally = false;
        room.resynchronizeMembersLocked(epoch, offset);
    }

    @Override
    boolean isLocalLocked() {
        return local;
    }

    @Override
    boolean shared() {
        return true;
    }
}
