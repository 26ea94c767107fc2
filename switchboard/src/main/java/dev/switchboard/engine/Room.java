package dev.switchboard.engine;

import dev.switchboard.Switchboard.Member;
import dev.switchboard.cluster.Cluster;
import dev.switchboard.cluster.LogStore;
import dev.switchboard.config.RoomPolicy;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ServerMessage;
import dev.switchboard.protocol.TagFilter;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One room: its members, their order of delivery and the fan-out to them; its presence ({@link RoomPresence}) and its
 * log ({@link RoomLog}: this node's own, or a shared one). Owned by {@link Rooms}.
 *
 * <p>Ordering contract: a publication gets its offset, is recorded and is queued for every member under the room's
 * lock, so every member sees a room's messages in offset order, and a join (with or without recovery) is placed
 * exactly between two offsets: nothing missed, nothing doubled. The lock covers only queueing, which never blocks:
 * nothing is sent under it, and no call to a shared store is made under it (a join asks the store first, see
 * {@link RoomLog#prepareJoin}).
 */
final class Room {

    /** What a join produced: whether the connection was added (false when already a member, or refused). */
    record JoinResult(boolean added, boolean full, boolean retired) {
    }

    private final String name;
    private final RoomPolicy policy;
    private final ReentrantLock lock = new ReentrantLock();
    /** Who is in the room and what each receives; written under {@link #lock}. */
    private final RoomMembers members = new RoomMembers();
    /** Set once, under the lock, when the room was dropped: it takes no more joins or publications. */
    private boolean retired;
    /** Last join, leave or publication (under the lock), for retiring idle rooms. */
    private long lastActivityMillis = System.currentTimeMillis();
    private final RoomPresence presence;
    private final RoomLog log;
    /** The node's bound on history, shared by every room. */
    private final HistoryBudget budget;
    /** Where this node's users in the room are registered for other nodes; null for a local room. */
    private final Cluster cluster;
    /** Where the fan-out's duration is recorded. */
    private final Telemetry telemetry;
    /** Spans of publications (or OFF). */
    final Tracing tracing;

    /** A room whose log is this node's own. */
    Room(String name, RoomPolicy policy, ScheduledExecutorService scheduler, Duration presenceCoalesce) {
        this(name, policy, scheduler, presenceCoalesce, null, null, null, HistoryBudget.unbounded(), Telemetry.NONE, Tracing.OFF);
    }

    /**
     * A room; with a {@code store}, its offsets, epoch and history are the store's (shared by every node), and work that
     * needs the store outside a join or publish (gap fills, resynchronization) runs on {@code background}.
     */
    Room(String name, RoomPolicy policy, ScheduledExecutorService scheduler, Duration presenceCoalesce,
         Cluster cluster, LogStore store, Executor background, HistoryBudget budget, Telemetry telemetry, Tracing tracing) {
        this.name = name;
        this.telemetry = telemetry;
        this.tracing = tracing;
        this.policy = policy;
        this.budget = budget;
        this.cluster = store == null ? null : cluster;
        this.presence = new RoomPresence(this, policy.presenceMaxMembers(), scheduler, presenceCoalesce.toMillis());
        this.log = store == null ? new LocalRoomLog(this) : new SharedRoomLog(this, store, cluster, background);
    }

    String name() {
        return name;
    }

    RoomPolicy policy() {
        return policy;
    }

    /** A history for a new log of this room (a new epoch), within the room's and the node's bounds. */
    History newHistory() {
        return new History(policy.historySize(), policy.historyTtl(), policy.historyMaxBytes(), budget);
    }

    /** A history that continues {@code epoch} at {@code offset} (a window on the shared log). */
    History newHistory(String epoch, long offset) {
        return new History(policy.historySize(), policy.historyTtl(), epoch, offset, policy.historyMaxBytes(), budget);
    }

    int size() {
        return members.size();
    }

    /** The members now (a copy-on-write array: never modified after it was read). */
    Connection[] members() {
        return members.all();
    }

    /** What the admin view shows of this room: members, position and history, read under the lock. */
    NodeAdmin.RoomView view() {
        return locked(() -> new NodeAdmin.RoomView(name, members.size(), presence.membersLocked(), log.epochLocked(),
                log.offsetLocked(), log.window.size(), log.window.bytes(),
                policy.slowConsumer().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
    }

    boolean isEmpty() {
        return members.size() == 0;
    }

    /** Whether the room follows a shared log. */
    boolean shared() {
        return log.shared();
    }

    /**
     * Whether {@code connection} is a member: its own few rooms, written under this room's lock together with the
     * members, so the answer is a walk over the connection's rooms instead of over every member.
     */
    boolean contains(Connection connection) {
        return connection.inRoom(name);
    }

    /**
     * Adds {@code connection}, queueing {@code joined} and then every message missed since {@code sinceOffset} (of the
     * current epoch, all held), else the latest {@code rewind} held — of those {@code filter} accepts (null: all),
     * which it receives from now on. Joining twice keeps the member once, with the second join's filter.
     */
    JoinResult join(Connection connection, String re, String sinceEpoch, Long sinceOffset, int rewind, TagFilter filter,
                    long nowMillis) {
        RoomLog.Prepared prepared = log.prepareJoin(sinceEpoch, sinceOffset, rewind, filter, nowMillis); // off the lock
        lock.lock();
        try {
            if (retired) {
                return new JoinResult(false, false, true); // the registry makes a new room and joins that one
            }
            boolean already = contains(connection);
            if (policy.maxMembers() > 0 && members.size() >= policy.maxMembers() && !already) {
                return new JoinResult(false, true, false); // nothing queued: the caller answers room_full
            }
            lastActivityMillis = nowMillis;
            log.joiningLocked(prepared);
            Boolean recovered = null;
            List<String> missed = List.of();
            if (sinceOffset != null) {
                Optional<List<String>> held = log.recoverLocked(prepared, sinceEpoch, sinceOffset, nowMillis);
                recovered = held.isPresent();
                missed = held.isPresent() && filter != null ? filter.frames(held.get()) : held.orElse(List.of());
            }
            if (rewind > 0 && !Boolean.TRUE.equals(recovered)) {
                missed = log.rewindLocked(prepared, rewind, filter, nowMillis);
            }
            boolean firstOfUser = false;
            if (!already) {
                int count = presence.addLocked(connection.user());
                firstOfUser = count == 1 && !presence.isRemoteLocked(connection.user());
                if (cluster != null) {
                    cluster.presence(name, connection.user(), count); // best effort: never waits
                }
            }
            connection.enqueue(Codec.encode(new ServerMessage.Joined(re, name, log.epochLocked(), log.offsetLocked(),
                    recovered, presence.announcesLocked(already ? 0 : 1) ? presence.membersLocked() : null)));
            for (String frame : missed) {
                connection.enqueue(frame);
            }
            if (!already) {
                members.addLocked(connection, filter);
                connection.joined(name);
            } else {
                members.refilterLocked(connection, filter);
            }
            if (firstOfUser) {
                presence.changedLocked();
            }
            return new JoinResult(!already, false, false);
        } finally {
            lock.unlock();
        }
    }

    /** Removes {@code connection}; returns false when it was not a member. */
    boolean leave(Connection connection) {
        lock.lock();
        try {
            if (!members.removeLocked(connection)) {
                return false;
            }
            lastActivityMillis = System.currentTimeMillis();
            connection.left(name);
            int left = presence.removeLocked(connection.user());
            if (cluster != null) {
                cluster.presence(name, connection.user(), left); // best effort: never waits
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Retires the room when it has no members and nothing happened in it for {@code idleMillis}. A retired room is
     * dropped; joins and publications go to a new room (a new epoch for a local room, so a late {@code since} gets
     * {@code recovered: false}).
     */
    boolean retireIfIdle(long nowMillis, long idleMillis) {
        lock.lock();
        try {
            if (!retired && members.size() == 0 && nowMillis - lastActivityMillis > idleMillis) {
                retired = true;
                log.releaseLocked(); // its history's bytes go back to the node's budget
            }
            return retired;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Publishes: next offset, encoded once, recorded, queued for every member — unless {@code key} (the publisher's
     * idempotency key, or null) was published within the window. Null when the room was retired.
     */
    RoomLog.Published publish(String from, JsonValue data, Map<String, String> tags, long nowMillis, String key,
                              long keyWindowMillis) {
        return log.publish(from, data, tags, nowMillis, key, keyWindowMillis);
    }

    /** What {@code connection} receives of this room: its filter, or null for everything. */
    TagFilter filterOf(Connection connection) {
        return locked(() -> members.filterOfLocked(connection));
    }

    List<Member> presence() {
        return locked(presence::membersLocked);
    }

    // ------------------------------------------------------------------ shared rooms, from the cluster

    /** The room's log: what the cluster delivers, resets and resynchronizes goes to it (see {@link RoomLog}). */
    RoomLog log() {
        return log;
    }

    /** Whether this room follows a shared log but goes on alone for now. */
    boolean isLocal() {
        return log.shared() && locked(log::isLocalLocked);
    }

    /** Users in the room on other nodes changed; announced like local changes. */
    void remotePresence(Map<String, Integer> others) {
        locked(() -> presence.remoteLocked(others));
    }

    /** This node's users in the room with their connection counts, for registering them again. */
    Map<String, Integer> localUsers() {
        return locked(presence::localUsersLocked);
    }

    // ------------------------------------------------------------------ for the room's parts, under the lock

    void locked(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    <T> T locked(java.util.function.Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the current thread holds this room's lock (for assertions of the engine's invariants). */
    boolean isLockedByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    void remotePresenceLocked(Map<String, Integer> others) {
        presence.remoteLocked(others);
    }

    boolean retiredLocked() {
        return retired;
    }

    void touchLocked(long nowMillis) {
        lastActivityMillis = nowMillis;
    }

    /** A publication with {@code tags} (null: none) goes out to every member whose filter accepts it. */
    void broadcastLocked(String frame, Map<String, String> tags) {
        long started = System.nanoTime();
        int count = members.size();
        Tracing.Span span = tracing.on() ? tracing.fanOut(name, count) : null;
        try {
            members.fanOutLocked(frame, tags, name, policy.slowConsumer());
        } finally {
            if (span != null) {
                span.close();
            }
            telemetry.fannedOut(count, System.nanoTime() - started);
        }
    }

    /** A control frame (presence, resynchronization) goes to every member; never dropped. */
    void toMembersLocked(String frame) {
        members.toAllLocked(frame);
    }

    /** Members must resynchronize: {@code joined} without {@code re}, with {@code recovered: false}. */
    void resynchronizeMembersLocked(String epoch, long offset) {
        if (members.size() > 0) {
            toMembersLocked(Codec.encode(new ServerMessage.Joined(null, name, epoch, offset, false,
                    presence.announcesLocked(0) ? presence.membersLocked() : null)));
        }
    }
}
