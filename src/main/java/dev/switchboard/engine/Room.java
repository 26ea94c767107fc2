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
    private final ReentrantLock lock = new ReentrantLock();
    /** Copy-on-write under {@link #lock}: a broadcast walks a plain array. */
    private volatile Connection[] members = NONE;
    /** Connections per user, under {@link #lock}. */
    private final Map<String, Integer> users = new LinkedHashMap<>();

    Room(String name, RoomHistory history) {
        this.name = name;
        this.history = history;
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

    /** What a join produced: the reply, and whether the user became present (for the presence diff). */
    record JoinResult(boolean firstOfUser) {
    }

    /**
     * Adds {@code connection}, queueing {@code joined} and then, when {@code sinceOffset} is given with the
     * current epoch and still held, every missed message. Joining twice is harmless: the member is kept once.
     */
    JoinResult join(Connection connection, String re, String sinceEpoch, Long sinceOffset, long nowMillis) {
        lock.lock();
        try {
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
            if (firstOfUser) {
                broadcastLocked(Codec.encode(new ServerMessage.PresenceDiff(name, List.of(connection.user()), List.of())));
            }
            if (!already) {
                Connection[] next = Arrays.copyOf(members, members.length + 1);
                next[members.length] = connection;
                members = next;
                connection.rooms.add(name);
            }
            return new JoinResult(!already);
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
            connection.rooms.remove(name);
            int left = users.merge(connection.user(), -1, Integer::sum);
            if (left <= 0) {
                users.remove(connection.user());
                broadcastLocked(Codec.encode(new ServerMessage.PresenceDiff(name, List.of(), List.of(connection.user()))));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    boolean contains(Connection connection) {
        for (Connection member : members) {
            if (member == connection) {
                return true;
            }
        }
        return false;
    }

    /** Publishes: next offset, encoded once, recorded, queued for every member. Returns where it landed. */
    Publication publish(String from, JsonValue data, long nowMillis) {
        lock.lock();
        try {
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

    String epoch() {
        lock.lock();
        try {
            return history.epoch();
        } finally {
            lock.unlock();
        }
    }

    private List<Member> presenceLocked() {
        List<Member> result = new ArrayList<>(users.size());
        users.forEach((user, count) -> result.add(new Member(user, count)));
        return List.copyOf(result);
    }

    private void broadcastLocked(String frame) {
        for (Connection member : members) {
            member.enqueue(frame);
        }
    }
}
