package dev.switchboard.engine;

import dev.switchboard.Switchboard.Member;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Who is in one room: this node's users with their connection counts, the users on other nodes (shared rooms), and
 * what was last announced. Changes go out as one {@code presence_diff} against what was last announced, at once or
 * coalesced over a window (a user who joined and left within it is not mentioned). Diffs are idempotent set
 * operations for the client: a joiner's {@code joined.presence} may already contain a diff's joins.
 *
 * <p>Not thread-safe: every method runs under its room's lock (the coalesced announcement takes the lock itself).
 */
final class RoomPresence {

    private final Room room;
    private final int maxMembers;
    private final ScheduledExecutorService scheduler;
    private final long coalesceMillis;
    private final Map<String, Integer> users = new LinkedHashMap<>();
    private Map<String, Integer> remote = Map.of();
    private final Set<String> announced = new HashSet<>();
    private boolean diffScheduled;

    RoomPresence(Room room, int maxMembers, ScheduledExecutorService scheduler, long coalesceMillis) {
        this.room = room;
        this.maxMembers = maxMembers;
        this.scheduler = scheduler;
        this.coalesceMillis = coalesceMillis;
    }

    /** One more connection of {@code user}; returns its count on this node. The room announces a first one. */
    int addLocked(String user) {
        return users.merge(user, 1, Integer::sum);
    }

    /** One connection of {@code user} fewer; returns its count on this node. */
    int removeLocked(String user) {
        int left = users.merge(user, -1, Integer::sum);
        if (left <= 0) {
            users.remove(user);
            if (!remote.containsKey(user)) {
                changedLocked();
            }
        }
        return Math.max(0, left);
    }

    /** Users in the room on other nodes changed. */
    void remoteLocked(Map<String, Integer> others) {
        if (!others.equals(remote)) {
            remote = Map.copyOf(others);
            changedLocked();
        }
    }

    boolean isRemoteLocked(String user) {
        return remote.containsKey(user);
    }

    Map<String, Integer> localUsersLocked() {
        return Map.copyOf(users);
    }

    /** Whether the room is small enough to announce presence, counting {@code joining} members about to be added. */
    boolean announcesLocked(int joining) {
        return maxMembers <= 0 || room.size() + joining + remote.size() <= maxMembers;
    }

    /** Everyone, here and on other nodes, with their connection counts. */
    List<Member> membersLocked() {
        Map<String, Integer> all = everyoneLocked();
        List<Member> result = new ArrayList<>(all.size());
        all.forEach((user, count) -> result.add(new Member(user, count)));
        return List.copyOf(result);
    }

    /** The occupancy of {@code name} with {@code everyone} (user → connections) in it. */
    static dev.switchboard.Switchboard.Occupancy occupancy(String name, Map<String, Integer> everyone) {
        int connections = 0;
        for (int count : everyone.values()) {
            connections += count;
        }
        return new dev.switchboard.Switchboard.Occupancy(name, everyone.size(), connections);
    }

    private Map<String, Integer> everyoneLocked() {
        if (remote.isEmpty()) {
            return users;
        }
        Map<String, Integer> all = new LinkedHashMap<>(users);
        remote.forEach((user, count) -> all.merge(user, count, Integer::sum));
        return all;
    }

    /** Presence changed: announced now, or once at the end of the coalescing window. */
    void changedLocked() {
        if (coalesceMillis <= 0 || scheduler == null) {
            announceLocked();
        } else if (!diffScheduled) {
            diffScheduled = true;
            scheduler.schedule(() -> room.locked(() -> {
                diffScheduled = false;
                announceLocked();
            }), coalesceMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void announceLocked() {
        if (!announcesLocked(0)) {
            return; // too many members: the presence query answers, nobody is told of every join
        }
        Map<String, Integer> everyone = everyoneLocked();
        List<String> joins = new ArrayList<>();
        for (String user : everyone.keySet()) {
            if (!announced.contains(user)) {
                joins.add(user);
            }
        }
        List<String> leaves = new ArrayList<>();
        for (String user : announced) {
            if (!everyone.containsKey(user)) {
                leaves.add(user);
            }
        }
        if (joins.isEmpty() && leaves.isEmpty()) {
            return;
        }
        announced.addAll(joins);
        leaves.forEach(announced::remove);
        room.toMembersLocked(Codec.encode(new ServerMessage.PresenceDiff(room.name(), joins, leaves)));
    }
}
