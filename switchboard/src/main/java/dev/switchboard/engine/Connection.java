package dev.switchboard.engine;

import dev.switchboard.config.SlowConsumerPolicy;
import dev.switchboard.security.Caller;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One live WebSocket peer: who it is, which endpoint it came through, the rooms it joined, whether it is alive, and
 * its {@link Outbox}. Transports hold it as an opaque handle and hand it back to {@link Sessions}; its mutators are
 * the engine's own.
 */
public final class Connection {

    /** The endpoint a connection came through, which decides what it may do. */
    public enum Kind {
        /** {@code /ws}: the multiplexed protocol (docs/PROTOCOL.md). */
        SOCKET,
        /** {@code /ws/rooms/{room}}: one room, plain frames; receives binary publications. */
        ROOM,
        /** {@code /ws/monitor}: server push only. */
        MONITOR,
        /** {@code /sse}: the Server-Sent Events fallback; receives like {@code /ws}, sends nothing. */
        STREAM;

        /** The kind of the endpoint at {@code path}. */
        public static Kind of(String path) {
            return path.startsWith("/ws/rooms/") ? ROOM : path.startsWith("/ws/monitor") ? MONITOR
                    : path.startsWith("/sse") ? STREAM : SOCKET;
        }
    }

    private final String id;
    /** Replaced when the client refreshes its credentials (same user; new roles and expiry). */
    private volatile Caller caller;
    private final String endpoint;
    private final Kind kind;
    private final long openedNanos = System.nanoTime();
    final Outbox outbox;

    /** The payload of the last heartbeat ping; its pong must echo it (RFC 6455 5.5.3). Through {@link #PING_TOKEN}. */
    private volatile long pingToken;
    /** When the unanswered heartbeat ping was requested, or 0 when none is outstanding. */
    private volatile long pingOutstandingSince;
    private volatile long lastPingAnsweredNanos = openedNanos;
    private volatile long lastHeardNanos = openedNanos;
    private volatile long lastMessageNanos;

    /** The connection's message rate limit; used only on the thread delivering its messages. */
    final RateLimiter rate;
    /**
     * The rooms this connection is a member of, as a copy-on-write array (a connection joins a few; a hash set cost
     * ~200 bytes per connection: docs/benchmark/connections.md). Written by {@link Room} under its own lock, so two
     * rooms may write at once: through {@link #ROOMS} by compare-and-set. Never null; shared when empty.
     */
    private volatile String[] rooms = NO_ROOMS;
    private static final String[] NO_ROOMS = {};
    /**
     * Server-to-client requests awaiting the client's answer, by id; made on the first one (most connections never
     * get one: docs/benchmark/connections.md). Through {@link #PENDING}.
     */
    private volatile Map<String, ServerRequests.Pending> pending;

    private static final java.lang.invoke.VarHandle PING_TOKEN = Handles.field(Connection.class, "pingToken", long.class);
    private static final java.lang.invoke.VarHandle PENDING = Handles.field(Connection.class, "pending", Map.class);
    private static final java.lang.invoke.VarHandle ROOMS = Handles.field(Connection.class, "rooms", String[].class);

    /** The rooms this connection is a member of, as they are now. */
    List<String> rooms() {
        return List.of(rooms);
    }

    int roomCount() {
        return rooms.length;
    }

    boolean inRoom(String name) {
        for (String room : rooms) {
            if (room.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Records that this connection joined {@code name}; called by {@link Room} under its lock. */
    void joined(String name) {
        String[] now;
        String[] more;
        do {
            now = rooms;
            for (String room : now) {
                if (room.equals(name)) {
                    return;
                }
            }
            more = java.util.Arrays.copyOf(now, now.length + 1);
            more[now.length] = name;
        } while (!ROOMS.compareAndSet(this, now, more));
    }

    /** Records that this connection left {@code name}; called by {@link Room} under its lock. */
    void left(String name) {
        String[] now;
        String[] fewer;
        do {
            now = rooms;
            int at = -1;
            for (int i = 0; i < now.length && at < 0; i++) {
                at = now[i].equals(name) ? i : -1;
            }
            if (at < 0) {
                return;
            }
            fewer = now.length == 1 ? NO_ROOMS : new String[now.length - 1];
            System.arraycopy(now, 0, fewer, 0, at);
            System.arraycopy(now, at + 1, fewer, at, now.length - at - 1);
        } while (!ROOMS.compareAndSet(this, now, fewer));
    }

    /** The server requests awaiting an answer, made when the first one is asked. */
    Map<String, ServerRequests.Pending> pending() {
        Map<String, ServerRequests.Pending> map = pending;
        if (map == null) {
            map = new ConcurrentHashMap<>();
            if (!PENDING.compareAndSet(this, null, map)) {
                map = pending;
            }
        }
        return map;
    }

    /** The ids of the server requests awaiting an answer (none when none was ever asked). */
    Set<String> pendingIds() {
        Map<String, ServerRequests.Pending> map = pending;
        return map == null ? Set.of() : map.keySet();
    }

    /** Takes the request {@code id} out of those awaiting an answer; null when it is not one of them. */
    ServerRequests.Pending removePending(String id) {
        Map<String, ServerRequests.Pending> map = pending;
        return map == null || id == null ? null : map.remove(id);
    }

    Connection(String id, Caller caller, String endpoint, Outbox outbox, RateLimiter rate) {
        this.id = id;
        this.caller = caller;
        this.endpoint = endpoint;
        this.kind = Kind.of(endpoint);
        this.outbox = outbox;
        this.rate = rate;
    }

    public String id() {
        return id;
    }

    public String user() {
        return caller.name();
    }

    /** Who is connected: name, roles, whether a guest, when the credentials expire. */
    public Caller caller() {
        return caller;
    }

    /** New credentials of the same user ({@code refresh}): their roles and expiry apply from now on; same language. */
    void refreshed(Caller fresh) {
        if (!fresh.name().equals(caller.name())) {
            throw new IllegalArgumentException("credentials of another user");
        }
        caller = fresh.speaking(caller.locale());
    }

    /** The path the client connected to, e.g. {@code /ws}. */
    public String endpoint() {
        return endpoint;
    }

    public Kind kind() {
        return kind;
    }

    /** Messages waiting in the outbound queue. */
    public int queued() {
        return outbox.queued();
    }

    /**
     * Everything queued so far was sent and the last send completed. {@link #queued} alone is 0 while the last send is
     * in flight, and a terminate then takes over from it: shutdown's drain that trusted it closed before the last
     * message reached the peer (ShutdownIT on WildFly missed the last acknowledged publication once).
     */
    boolean drained() {
        return outbox.queued() == 0 && outbox.isIdle();
    }

    /** True once the connection is being closed: nothing more is queued. */
    public boolean isClosing() {
        return outbox.isClosing();
    }

    // ------------------------------------------------------------------ the engine's own

    boolean enqueue(String frame) {
        return outbox.offer(frame);
    }

    boolean enqueue(String frame, String room, SlowConsumerPolicy policy) {
        return outbox.offer(frame, room, policy);
    }

    /** A publication item shared by every member of a room (not a conflation slot, which is per connection). */
    boolean enqueue(Outbound shared, SlowConsumerPolicy policy) {
        return outbox.offer(shared, policy);
    }

    /** Graceful: after what is queued. */
    void close(int code, String reason) {
        outbox.close(code, reason);
    }

    long openedNanos() {
        return openedNanos;
    }

    /** When the peer was last heard from (any frame, pongs included), as {@link System#nanoTime}. */
    long lastHeardNanos() {
        return lastHeardNanos;
    }

    /** When the peer last sent a message (not a pong), or 0 if never. */
    long lastMessageNanos() {
        return lastMessageNanos;
    }

    /** The peer sent a message. */
    void messageReceived() {
        long now = System.nanoTime();
        lastHeardNanos = now;
        lastMessageNanos = now;
    }

    /**
     * The peer sent a pong. Only a pong echoing the outstanding ping's payload answers it: unsolicited pongs
     * (allowed as a one-way keep-alive) show the peer is there, not that it reads what it is sent.
     */
    void pong(ByteBuffer payload) {
        long now = System.nanoTime();
        lastHeardNanos = now;
        if (payload != null && payload.remaining() == Long.BYTES && payload.getLong(payload.position()) == pingToken) {
            pingOutstandingSince = 0;
            lastPingAnsweredNanos = now;
        }
    }

    /** Asks the writer for a heartbeat ping, sent before the next queued frame; one outstanding at a time. */
    void ping() {
        if (outbox.isClosing() || pingOutstandingSince != 0) {
            return;
        }
        long token = (long) PING_TOKEN.getAndAdd(this, 1L) + 1;
        pingOutstandingSince = System.nanoTime();
        outbox.ping(ByteBuffer.allocate(Long.BYTES).putLong(0, token));
    }

    long pingOutstandingSince() {
        return pingOutstandingSince;
    }

    long lastPingAnsweredNanos() {
        return lastPingAnsweredNanos;
    }

    @Override
    public String toString() {
        return "Connection[" + id + ", user=" + user() + ", " + endpoint + "]";
    }
}
