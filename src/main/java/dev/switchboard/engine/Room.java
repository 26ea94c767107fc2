package dev.switchboard.engine;

import dev.switchboard.Switchboard.Member;
import dev.switchboard.Switchboard.Publication;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ServerMessage;
import jakarta.json.JsonValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One room: its members, its presence and its history. Owned by {@link Hub}.
 *
 * <p>Ordering contract: publishing assigns the next offset, records the publication and queues it for every
 * member under the room's lock, so every member sees a room's messages in offset order, and a join (with or
 * without recovery) is placed exactly between two offsets: nothing is missed and nothing is doubled. The lock
 * covers only queueing (which never blocks); nothing is sent under it.
 */
final class Room {

    private static final Connection[] NONE = new Connection[0];

    private final String name;
    private final RoomHistory history;
    private final SlowConsumerPolicy slowConsumer;
    private final ScheduledExecutorService scheduler;
    private final long coalesceMillis;
    private final ReentrantLock lock = new ReentrantLock();
    /** Users as last announced by a presence_diff (under {@link #lock}). */
    private final Set<String> announced = new HashSet<>();
    private boolean diffScheduled;
    /** Last join, leave or publication (under {@link #lock}), for retiring idle rooms. */
    private long lastActivityMillis = System.currentTimeMillis();
    /** Set once, under {@link #lock}, when the hub dropped this room: it takes no more joins or publications. */
    private boolean retired;
    /** Copy-on-write under {@link #lock}: a broadcast walks a plain array. */
    private volatile Connection[] members = NONE;
    /** Connections per user, under {@link #lock}. */
    private final Map<String, Integer> users = new LinkedHashMap<>();

    private final int maxMembers;

    Room(String name, RoomHistory history, SlowConsumerPolicy slowConsumer, int maxMembers,
         ScheduledExecutorService scheduler, Duration presenceCoalesce) {
        this.name = name;
        this.maxMembers = maxMembers;
        this.history = history;
        this.slowConsumer = slowConsumer;
        this.scheduler = scheduler;
        this.coalesceMillis = presenceCoalesce.toMillis();
    }

    String name() {
        return name;
    }

    int size() {
        return members.length;
    }

    boolean isEmpty() {
        return members.length == 0;
    }

    /** What a join produced: whether the connection was added (false when already a member, or refused). */
    record JoinResult(boolean added, boolean full, boolean retired) {
    }

    /**
     * Adds {@code connection}, queueing {@code joined} and then, when {@code sinceOffset} is given with the
     * current epoch and still held, every missed message. Joining twice is harmless: the member is kept once.
     */
    JoinResult join(Connection connection, String re, String sinceEpoch, Long sinceOffset, long nowMillis) {
        lock.lock();
        try {
            if (retired) {
                return new JoinResult(false, false, true); // the hub makes a new room and joins that one
            }
            if (maxMembers > 0 && members.length >= maxMembers && !contains(connection)) {
                return new JoinResult(false, true, false); // nothing queued: the caller answers room_full
            }
            lastActivityMillis = nowMillis;
            Boolean recovered = null;
            List<String> missed = List.of();
            if (sinceOffset != null) {
                Optional<List<String>> held = history.epoch().equals(sinceEpoch)
                        ? history.since(sinceOffset, nowMillis) : Optional.empty();
                recovered = held.isPresent();
                missed = held.orElse(List.of());
            }
            boolean already = contains(connection);
            boolean firstOfUser = false;
            if (!already) {
                int count = users.merge(connection.user(), 1, Integer::sum);
                firstOfUser = count == 1;
            }
            connection.enqueue(Codec.encode(new ServerMessage.Joined(re, name, history.epoch(), history.offset(),
                    recovered, presenceLocked())));
            for (String frame : missed) {
                connection.enqueue(frame);
            }
            if (!already) {
                Connection[] next = Arrays.copyOf(members, members.length + 1);
                next[members.length] = connection;
                members = next;
                connection.rooms.add(name);
            }
            if (firstOfUser) {
                presenceChangedLocked();
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
            Connection[] current = members;
            int at = -1;
            for (int i = 0; i < current.length; i++) {
                if (current[i] == connection) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                return false;
            }
            Connection[] next = new Connection[current.length - 1];
            System.arraycopy(current, 0, next, 0, at);
            System.arraycopy(current, at + 1, next, at, current.length - at - 1);
            members = next;
            lastActivityMillis = System.currentTimeMillis();
            connection.rooms.remove(name);
            int left = users.merge(connection.user(), -1, Integer::sum);
            if (left <= 0) {
                users.remove(connection.user());
                presenceChangedLocked();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Retires the room when it has no members and nothing happened in it for {@code idleMillis} (its history is of no
     * use to anyone by then). A retired room is dropped by the hub; joins and publications go to a new room (with a
     * new epoch, so a late {@code since} gets {@code recovered: false}).
     */
    boolean retireIfIdle(long nowMillis, long idleMillis) {
        lock.lock();
        try {
            if (!retired && members.length == 0 && nowMillis - lastActivityMillis > idleMillis) {
                retired = true;
            }
            return retired;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether {@code connection} is a member: its own set of rooms, written only under this room's lock together
     * with {@link #members}, so the answer costs O(1) instead of a walk over every member on each publish.
     */
    boolean contains(Connection connection) {
        return connection.rooms.contains(name);
    }

    /**
     * Publishes: next offset, encoded once, recorded, queued for every member. Returns where it landed, or null when
     * the room was retired meanwhile (the hub publishes to its successor).
     */
    Publication publish(String from, JsonValue data, long nowMillis) {
        lock.lock();
        try {
            if (retired) {
                return null;
            }
            lastActivityMillis = nowMillis;
            long offset = history.offset() + 1;
            String frame = Codec.encode(new ServerMessage.Message(name, history.epoch(), offset, from, nowMillis, data));
            history.append(offset, nowMillis, frame);
            broadcastLocked(frame);
            return new Publication(name, history.epoch(), offset);
        } finally {
            lock.unlock();
        }
    }

    /** Fans a binary frame out to members that accept binary (plain room connections); not recorded. */
    int publishBinary(ByteBuffer data) {
        int queued = 0;
        for (Connection member : members) {
            if (member.acceptsBinary() && member.enqueue(data)) {
                queued++;
            }
        }
        return queued;
    }

    List<Member> presence() {
        lock.lock();
        try {
            return presenceLocked();
        } finally {
            lock.unlock();
        }
    }


    private List<Member> presenceLocked() {
        List<Member> result = new ArrayList<>(users.size());
        users.forEach((user, count) -> result.add(new Member(user, count)));
        return List.copyOf(result);
    }

    /** Publications go out under the room's slow-consumer policy. */
    private void broadcastLocked(String frame) {
        for (Connection member : members) {
            member.enqueue(frame, name, slowConsumer);
        }
    }

    /**
     * Presence changed: announce it now, or, with a coalescing window, once at the end of the window, as one diff
     * against what was last announced (a user who joined and left within it is not mentioned). Diffs are idempotent
     * set operations for the client: a joiner's {@code joined.presence} may already contain a diff's joins.
     */
    private void presenceChangedLocked() {
        if (coalesceMillis <= 0 || scheduler == null) {
            announceLocked();
        } else if (!diffScheduled) {
            diffScheduled = true;
            scheduler.schedule(this::announce, coalesceMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void announce() {
        lock.lock();
        try {
            diffScheduled = false;
            announceLocked();
        } finally {
            lock.unlock();
        }
    }

    private void announceLocked() {
        List<String> joins = new ArrayList<>();
        for (String user : users.keySet()) {
            if (!announced.contains(user)) {
                joins.add(user);
            }
        }
        List<String> leaves = new ArrayList<>();
        for (String user : announced) {
            if (!users.containsKey(user)) {
                leaves.add(user);
            }
        }
        if (joins.isEmpty() && leaves.isEmpty()) {
            return;
        }
        announced.addAll(joins);
        leaves.forEach(announced::remove);
        String frame = Codec.encode(new ServerMessage.PresenceDiff(name, joins, leaves));
        for (Connection member : members) {
            member.enqueue(frame);
        }
    }
}
