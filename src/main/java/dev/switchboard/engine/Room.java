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
    /** This node's history of the room (under {@link #lock}); with a shared log, this node's window on it. */
    private RoomHistory history;
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
    private final int presenceMaxMembers;

    /** The shared cluster whose log this room follows; null: this node's own history is the room's log. */
    private final Cluster cluster;
    private final RoomPolicy policy;
    /** Shared: whether {@link #history} continues the shared log at a known position (under {@link #lock}). */
    private boolean positioned;
    /** Shared: the store was unreachable; publications are delivered on this node only (under {@link #lock}). */
    private boolean local;
    /** Shared: something was published here while {@link #local}; other nodes missed it (under {@link #lock}). */
    private boolean publishedLocally;
    /** Shared: users in the room on other live nodes with their connection counts (under {@link #lock}). */
    private Map<String, Integer> remote = Map.of();

    Room(String name, RoomHistory history, SlowConsumerPolicy slowConsumer, int maxMembers,
         ScheduledExecutorService scheduler, Duration presenceCoalesce) {
        this(name, history, slowConsumer, maxMembers, scheduler, presenceCoalesce, null, null);
    }

    /**
     * A room; with a shared {@code cluster}, its offsets, epoch and history are the cluster's, and {@code history}
     * serves until the shared position is known (or while the cluster is unreachable).
     */
    Room(String name, RoomHistory history, SlowConsumerPolicy slowConsumer, int maxMembers,
         ScheduledExecutorService scheduler, Duration presenceCoalesce, Cluster cluster, RoomPolicy policy) {
        this.cluster = cluster != null && cluster.shared() ? cluster : null;
        this.policy = policy;
        this.presenceMaxMembers = policy == null ? RoomPolicy.PRESENCE_MAX_MEMBERS : policy.presenceMaxMembers();
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
            positionLocked();
            Boolean recovered = null;
            List<String> missed = List.of();
            if (sinceOffset != null) {
                Optional<List<String>> held = history.epoch().equals(sinceEpoch)
                        ? history.since(sinceOffset, nowMillis) : Optional.empty();
                if (held.isEmpty() && history.epoch().equals(sinceEpoch)) {
                    held = sharedSinceLocked(sinceOffset, nowMillis);
                }
                recovered = held.isPresent();
                missed = held.orElse(List.of());
            }
            boolean already = contains(connection);
            boolean firstOfUser = false;
            if (!already) {
                int count = users.merge(connection.user(), 1, Integer::sum);
                firstOfUser = count == 1 && !remote.containsKey(connection.user());
                if (cluster != null) {
                    cluster.presence(name, connection.user(), count);
                }
            }
            connection.enqueue(Codec.encode(new ServerMessage.Joined(re, name, history.epoch(), history.offset(),
                    recovered, announcesPresenceLocked(already ? 0 : 1) ? presenceLocked() : null)));
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
            if (cluster != null) {
                cluster.presence(name, connection.user(), Math.max(0, left));
            }
            if (left <= 0) {
                users.remove(connection.user());
                if (!remote.containsKey(connection.user())) {
                    presenceChangedLocked();
                }
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
        if (cluster != null) {
            return publishShared(from, data, nowMillis);
        }
        return publishHere(from, data, nowMillis);
    }

    /**
     * Shared log: appended in the cluster, which assigns the offset and delivers it to the members on every node,
     * this one included ({@link #deliver}). While the cluster is unreachable the room goes on here alone, under an
     * epoch of its own, until {@link #resynchronize}.
     */
    private Publication publishShared(String from, JsonValue data, long nowMillis) {
        lock.lock();
        try {
            if (retired) {
                return null;
            }
            lastActivityMillis = nowMillis;
            if (local) {
                return publishHere(from, data, nowMillis);
            }
        } finally {
            lock.unlock();
        }
        try {
            Cluster.Position at = cluster.append(name, policy, payload(from, nowMillis, data));
            return new Publication(name, at.epoch(), at.offset());
        } catch (Cluster.Unavailable e) {
            lock.lock();
            try {
                local = true;
                return publishHere(from, data, nowMillis);
            } finally {
                lock.unlock();
            }
        }
    }

    /** This node's own log: next offset, encoded once, recorded, queued for every member. */
    private Publication publishHere(String from, JsonValue data, long nowMillis) {
        lock.lock();
        try {
            if (retired) {
                return null;
            }
            lastActivityMillis = nowMillis;
            if (cluster != null && !publishedLocally) {
                // members follow this node alone from here: an epoch of its own, so nobody mistakes it for the shared log
                publishedLocally = true;
                if (positioned) {
                    history = new InMemoryHistory(policy.historySize(), policy.historyTtl());
                }
            }
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
        Map<String, Integer> all = everyoneLocked();
        List<Member> result = new ArrayList<>(all.size());
        all.forEach((user, count) -> result.add(new Member(user, count)));
        return List.copyOf(result);
    }

    /** Users here and, with a shared cluster, on other live nodes, with their connection counts. */
    private Map<String, Integer> everyoneLocked() {
        if (remote.isEmpty()) {
            return users;
        }
        Map<String, Integer> all = new LinkedHashMap<>(users);
        remote.forEach((user, count) -> all.merge(user, count, Integer::sum));
        return all;
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

    /** Whether the room is small enough to announce presence (see {@link RoomPolicy#presenceMaxMembers}). */
    private boolean announcesPresenceLocked() {
        return announcesPresenceLocked(0);
    }

    /** As {@link #announcesPresenceLocked()}, counting {@code joining} members about to be added. */
    private boolean announcesPresenceLocked(int joining) {
        return presenceMaxMembers <= 0 || members.length + joining + remote.size() <= presenceMaxMembers;
    }

    private void announceLocked() {
        if (!announcesPresenceLocked()) {
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
        String frame = Codec.encode(new ServerMessage.PresenceDiff(name, joins, leaves));
        for (Connection member : members) {
            member.enqueue(frame);
        }
    }

    // ------------------------------------------------------------------ shared log (a cluster of nodes)

    /** The payload a publication carries through the cluster: who, when, what (JSON-P). */
    private static String payload(String from, long timestampMillis, JsonValue data) {
        jakarta.json.JsonObjectBuilder b = jakarta.json.Json.createObjectBuilder();
        if (from != null) {
            b.add("from", from);
        }
        return b.add("ts", timestampMillis).add("data", data == null ? JsonValue.NULL : data).build().toString();
    }

    /** A publication from the shared log, encoded once as its {@code message} frame, with its timestamp. */
    private record Shared(String frame, long timestampMillis) {
    }

    private Shared decode(String epoch, long offset, String payload) {
        jakarta.json.JsonObject p = jakarta.json.Json.createReader(new java.io.StringReader(payload)).readObject();
        String from = p.containsKey("from") && !p.isNull("from") ? p.getString("from") : null;
        long ts = p.getJsonNumber("ts").longValue();
        return new Shared(Codec.encode(new ServerMessage.Message(name, epoch, offset, from, ts, p.get("data"))), ts);
    }

    /** Shared: learns where the shared log stands, once; unreachable → this node's own history for now. */
    private void positionLocked() {
        if (cluster == null || positioned || local) {
            return;
        }
        try {
            Cluster.Position at = cluster.position(name);
            history = new InMemoryHistory(policy.historySize(), policy.historyTtl(), at.epoch(), at.offset());
            positioned = true;
            // who is already here on other nodes, so that the first joiner's joined.presence shows them
            remote = Map.copyOf(cluster.remotePresence(name));
        } catch (Cluster.Unavailable e) {
            local = !positioned; // resynchronize() joins the shared log when the cluster is back
        }
    }

    /** Shared: what this node's window does not hold, from the cluster's log. */
    private Optional<List<String>> sharedSinceLocked(long sinceOffset, long nowMillis) {
        if (cluster == null || !positioned || local || sinceOffset >= history.offset()) {
            return Optional.empty();
        }
        try {
            Optional<List<Cluster.Entry>> entries = cluster.range(name, policy, sinceOffset, history.offset());
            if (entries.isEmpty()) {
                return Optional.empty();
            }
            List<String> frames = new ArrayList<>(entries.get().size());
            long oldest = nowMillis - policy.historyTtl().toMillis();
            for (Cluster.Entry entry : entries.get()) {
                Shared shared = decode(history.epoch(), entry.offset(), entry.payload());
                if (shared.timestampMillis() < oldest) {
                    return Optional.empty(); // older than the history is kept
                }
                frames.add(shared.frame());
            }
            return Optional.of(frames);
        } catch (Cluster.Unavailable e) {
            return Optional.empty();
        }
    }

    /**
     * Shared, on the cluster's thread: a publication in the shared log. Delivered in offset order exactly once; a
     * gap (events missed while the subscription was down) is filled from the log, or, when the log no longer holds
     * it, the members are told to resynchronize ({@code joined} with {@code recovered: false}): never a silent gap.
     */
    void deliver(String epoch, long offset, String payload, long nowMillis) {
        lock.lock();
        try {
            if (retired || local) {
                return; // local: resynchronize() catches up when the cluster is back
            }
            positionLocked();
            if (!positioned) {
                return;
            }
            if (!epoch.equals(history.epoch())) {
                adoptLocked(new Cluster.Position(epoch, offset - 1));
            } else if (offset <= history.offset()) {
                return; // already delivered (or before this node followed the room)
            } else if (offset > history.offset() + 1 && !fillLocked(offset - 1, nowMillis)) {
                adoptLocked(new Cluster.Position(epoch, offset - 1));
            }
            Shared shared = decode(epoch, offset, payload);
            history.append(offset, shared.timestampMillis(), shared.frame());
            broadcastLocked(shared.frame());
        } finally {
            lock.unlock();
        }
    }

    /** Delivers the shared log's publications up to {@code upTo}; false when they are not all held. */
    private boolean fillLocked(long upTo, long nowMillis) {
        try {
            Optional<List<Cluster.Entry>> missed = cluster.range(name, policy, history.offset(), upTo);
            if (missed.isEmpty()) {
                return false;
            }
            for (Cluster.Entry entry : missed.get()) {
                Shared shared = decode(history.epoch(), entry.offset(), entry.payload());
                history.append(entry.offset(), shared.timestampMillis(), shared.frame());
                broadcastLocked(shared.frame());
            }
            return true;
        } catch (Cluster.Unavailable e) {
            return false;
        }
    }

    /** Shared, on the cluster's thread: the log was reset (another node published alone during an outage). */
    void reset(String epoch, long offset) {
        lock.lock();
        try {
            if (retired || local || (positioned && epoch.equals(history.epoch()))) {
                return; // already there (this node reset it), or catching up later
            }
            adoptLocked(new Cluster.Position(epoch, offset));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Shared, on the cluster's thread, when the cluster is reachable again: rejoins the shared log. Publications made
     * here alone reset it (new epoch, every node's members told to resynchronize); otherwise what was missed is
     * delivered from the log, or the members are told to resynchronize when it is not all held.
     */
    void resynchronize(long nowMillis) {
        lock.lock();
        try {
            if (cluster == null || retired) {
                return;
            }
            if (publishedLocally) {
                adoptLocked(cluster.reset(name));
            } else if (!positioned) {
                Cluster.Position at = cluster.position(name);
                if (members.length > 0 && (history.offset() > 0 || at.offset() > 0)) {
                    adoptLocked(at);
                } else {
                    history = new InMemoryHistory(policy.historySize(), policy.historyTtl(), at.epoch(), at.offset());
                }
            } else {
                Cluster.Position at = cluster.position(name);
                if (!at.epoch().equals(history.epoch()) || at.offset() < history.offset()) {
                    adoptLocked(at); // the log was lost (a new epoch) while we were away
                } else if (at.offset() > history.offset() && !fillLocked(at.offset(), nowMillis)) {
                    adoptLocked(at);
                }
            }
            positioned = true;
            local = false;
            publishedLocally = false;
        } catch (Cluster.Unavailable e) {
            local = true; // still unreachable: try again on the next resynchronization
        } finally {
            lock.unlock();
        }
    }

    /** Follows the shared log from {@code at}; members are told with {@code joined} and {@code recovered: false}. */
    private void adoptLocked(Cluster.Position at) {
        history = new InMemoryHistory(policy.historySize(), policy.historyTtl(), at.epoch(), at.offset());
        positioned = true;
        local = false;
        publishedLocally = false;
        if (members.length > 0) {
            String frame = Codec.encode(new ServerMessage.Joined(null, name, at.epoch(), at.offset(), false,
                    announcesPresenceLocked() ? presenceLocked() : null));
            for (Connection member : members) {
                member.enqueue(frame);
            }
        }
    }

    /** Shared: users in the room on other nodes changed; announced like local changes. */
    void remotePresence(Map<String, Integer> others) {
        lock.lock();
        try {
            if (!others.equals(remote)) {
                remote = Map.copyOf(others);
                presenceChangedLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /** This node's users in the room with their connection counts, for registering them again. */
    Map<String, Integer> localUsers() {
        lock.lock();
        try {
            return Map.copyOf(users);
        } finally {
            lock.unlock();
        }
    }

    /** Whether this room follows a shared log but goes on alone for now. */
    boolean isLocal() {
        lock.lock();
        try {
            return local;
        } finally {
            lock.unlock();
        }
    }
}
