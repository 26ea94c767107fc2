package dev.switchboard.engine;

import dev.switchboard.CloseCodes;
import dev.switchboard.RequestHandler;
import dev.switchboard.Switchboard.Publication;
import dev.switchboard.SwitchboardEvent;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import dev.switchboard.protocol.ClientMessage;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.ServerMessage;
import dev.switchboard.protocol.Subprotocols;
import dev.switchboard.security.Caller;
import dev.switchboard.security.RoomAuthorizer;
import jakarta.json.JsonValue;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What transports call ({@link Sessions}), and one client message → one action and its reply: rate admission,
 * authorization, then join, leave, publish, send, request, presence, ping or reply. Every outcome is a typed reply
 * queued on the connection, or a documented close code.
 */
final class Dispatcher implements Sessions {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());

    private final Settings settings;
    private final Connections connections;
    private final Rooms rooms;
    private final Messaging messaging;
    private final ServerRequests serverRequests;
    private final Map<String, RequestHandler> handlers;
    private final RoomAuthorizer authorizer;
    private final Metrics metrics;
    private final Consumer<SwitchboardEvent> events;
    /**
     * Every event type, loaded with the engine: GlassFish 7.0.21 may close the application's class loader before Tyrus
     * reports the closes of the sessions it ends at undeploy, and a close fires RoomLeft/ConnectionClosed, whose classes
     * would otherwise load only then (NoClassDefFoundError on the container's thread, seen in CI).
     */
    private static final Class<?>[] EVENT_TYPES = SwitchboardEvent.class.getPermittedSubclasses();
    /** Set once the engine shut down (see {@link #closed}). */
    private volatile boolean stopped;
    /** False while an operator drains the node: transports refuse new connections with 1013. */
    private volatile boolean admitting = true;

    /** What the dispatcher shares with the public API: publishing and direct messages, counted and announced. */
    interface Messaging {
        /** {@code key}: the publisher's idempotency key, already scoped to the publisher, or null. */
        RoomLog.Published publish(Room room, String name, String from, JsonValue data, String key);

        int sendToUser(String from, String user, JsonValue data);
    }

    Dispatcher(Settings settings, Connections connections, Rooms rooms, Messaging messaging, ServerRequests serverRequests,
               Map<String, RequestHandler> handlers, RoomAuthorizer authorizer, Metrics metrics,
               Consumer<SwitchboardEvent> events) {
        this.settings = settings;
        this.connections = connections;
        this.rooms = rooms;
        this.messaging = messaging;
        this.serverRequests = serverRequests;
        this.handlers = handlers;
        this.authorizer = authorizer;
        this.metrics = metrics;
        this.events = events;
    }

    /** How {@code refresh} verifies a credential; set once, at construction. Without it every refresh is refused. */
    private volatile Function<String, Optional<Caller>> credentials = c -> Optional.empty();

    void verifyCredentialsWith(Function<String, Optional<Caller>> verifier) {
        this.credentials = verifier;
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public Connection open(Transport transport, Caller caller, String endpoint, boolean batching) {
        boolean outer = WriteThrough.begin();
        try {
            return opened(transport, caller, endpoint, batching);
        } finally {
            if (outer) {
                WriteThrough.end();
            }
        }
    }

    private Connection opened(Transport transport, Caller caller, String endpoint, boolean batching) {
        Connection connection = connections.open(transport, caller, endpoint);
        if (connection == null) {
            return null;
        }
        WriteThrough.own(connection.outbox); // the welcome (and a plain room's joined) are written through
        connection.outbox.batching(batching);
        if (connection.kind() == Connection.Kind.SOCKET) {
            Settings.Limits limits = settings.limits();
            connection.enqueue(Codec.encode(new ServerMessage.Welcome(connection.id(), connection.user(),
                    settings.heartbeat().toMillis(), batching ? Subprotocols.BATCH : Subprotocols.V1,
                    new ServerMessage.Limits(settings.maxMessageBytes(), Codec.MAX_ID_LENGTH, limits.ratePerSecond(),
                            limits.rateBurst()), expiresInMs(connection.caller().expiresAt()))));
        }
        events.accept(new SwitchboardEvent.ConnectionOpened(connection.id(), connection.user(), endpoint));
        if (connection.kind() == Connection.Kind.ROOM) {
            String room = endpoint.substring("/ws/rooms/".length());
            if (!join(connection, null, room, null, null)) {
                // a plain client cannot go on without its room: forbidden (4403), or full (1013, try later)
                boolean allowed = authorizer.allows(connection.caller(), RoomAuthorizer.Action.JOIN, room);
                connection.close(allowed ? CloseCodes.TRY_AGAIN_LATER : CloseCodes.FORBIDDEN, allowed ? "room full" : "forbidden");
            }
        }
        return connection;
    }

    @Override
    public void closed(Connection connection, int code, String reason) {
        if (stopped) {
            // After the engine's shutdown: no events (the application is gone) and no new code. GlassFish 7.0.21 closes
            // the application's class loader before Tyrus reports the closes of the sessions it then ends, so a class
            // not loaded yet (an event's) would fail with NoClassDefFoundError on the container's thread.
            connection.outbox.peerClosed();
            return;
        }
        writeThrough(connection, () -> left(connection, code, reason));
    }

    /**
     * An operator's removal: the connections here of {@code user} (null: of every member) leave {@code room}. A
     * {@code /ws} connection is told with {@code left} without {@code re}; a plain room connection, which has no room
     * without it, is closed with 4403. Returns how many connections were removed.
     */
    int removeFromRoom(String name, String user) {
        Room room = rooms.get(name);
        if (room == null) {
            return 0;
        }
        int removed = 0;
        for (Connection member : room.members()) {
            if (user != null && !user.equals(member.user())) {
                continue;
            }
            if (member.kind() == Connection.Kind.ROOM) {
                member.close(CloseCodes.FORBIDDEN, "removed from room '" + name + "' by an operator");
                removed++;
            } else if (room.leave(member)) {
                reply(member, new ServerMessage.Left(null, name));
                events.accept(new SwitchboardEvent.RoomLeft(name, member.id(), member.user()));
                removed++;
            }
        }
        return removed;
    }

    @Override
    public boolean admitting() {
        return admitting && !stopped;
    }

    void admitting(boolean admit) {
        admitting = admit;
    }

    /** The engine has shut down (Hub's PreDestroy): closes reported after it only end the connection's outbox. */
    void stop() {
        stopped = true;
    }

    private void left(Connection connection, int code, String reason) {
        connection.outbox.peerClosed();
        if (!connections.remove(connection)) {
            return;
        }
        serverRequests.closed(connection);
        metrics.closed(code);
        for (String name : List.copyOf(connection.rooms)) {
            Room room = rooms.get(name);
            if (room != null && room.leave(connection)) {
                events.accept(new SwitchboardEvent.RoomLeft(name, connection.id(), connection.user()));
            }
        }
        events.accept(new SwitchboardEvent.ConnectionClosed(connection.id(), connection.user(), code, reason));
    }

    @Override
    public void pong(Connection connection, ByteBuffer payload) {
        connection.pong(payload);
    }

    @Override
    public boolean push(Connection connection, String frame, String stream, SlowConsumerPolicy policy) {
        return connection.enqueue(frame, stream, policy);
    }

    @Override
    public void refuse(Connection connection, int code, String reason) {
        writeThrough(connection, () -> connection.close(code, reason));
    }

    /**
     * Runs what a container thread hands the engine for {@code connection} inside a {@link WriteThrough} bracket: what
     * it queues for that connection, when its writer is idle, is sent on this thread when it is done, every lock let
     * go; what it queues for others goes to their writers.
     */
    private static void writeThrough(Connection connection, Runnable call) {
        boolean outer = WriteThrough.begin(connection.outbox);
        try {
            call.run();
        } finally {
            if (outer) {
                WriteThrough.end();
            }
        }
    }

    // ------------------------------------------------------------------ the /ws protocol

    @Override
    public void received(Connection connection, ClientMessage message) {
        boolean outer = WriteThrough.begin(connection.outbox);
        try {
            handle(connection, message);
        } finally {
            if (outer) {
                WriteThrough.end();
            }
        }
    }

    private void handle(Connection connection, ClientMessage message) {
        metrics.messagesIn.increment();
        connection.messageReceived();
        if (connection.kind() == Connection.Kind.MONITOR) {
            monitor(connection, message);
            return;
        }
        if (!admit(connection, message.id())) {
            return;
        }
        try {
            if (message instanceof ClientMessage.Join m) {
                join(connection, m.id(), m.room(), m.since() == null ? null : m.since().epoch(),
                        m.since() == null ? null : m.since().offset());
            } else if (message instanceof ClientMessage.Leave m) {
                leave(connection, m);
            } else if (message instanceof ClientMessage.Publish m) {
                publish(connection, m);
            } else if (message instanceof ClientMessage.Send m) {
                send(connection, m);
            } else if (message instanceof ClientMessage.Request m) {
                request(connection, m);
            } else if (message instanceof ClientMessage.PresenceQuery m) {
                presence(connection, m);
            } else if (message instanceof ClientMessage.Ping m) {
                reply(connection, new ServerMessage.Pong(m.id()));
            } else if (message instanceof ClientMessage.Reply m) {
                serverRequests.answered(connection, m);
            } else if (message instanceof ClientMessage.Refresh m) {
                refresh(connection, m);
            } else if (message instanceof ClientMessage.Malformed m && Codec.TOO_BIG.equals(m.code())) {
                connection.close(CloseCodes.TOO_BIG, m.message());
            } else if (message instanceof ClientMessage.Malformed m) {
                reply(connection, new ServerMessage.Error(m.id(), m.code(), m.message(),
                        m.details().isEmpty() ? null : m.details()));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Failed to handle a " + message.getClass().getSimpleName() + " from " + connection, e);
            reply(connection, new ServerMessage.Error(message.id(), ErrorCode.INTERNAL, "internal error", null));
        }
    }

    /**
     * New credentials of the same user: from now on the connection holds their roles and expiry (rooms already joined
     * stay joined; the next join or publish is decided with the new roles). A guest cannot become a user this way,
     * nor a user another user: it reconnects with the new credentials instead.
     */
    private void refresh(Connection connection, ClientMessage.Refresh m) {
        Optional<Caller> fresh = connection.caller().anonymous() ? Optional.empty()
                : credentials.apply(m.credential());
        if (fresh.isEmpty() || !fresh.get().name().equals(connection.user())) {
            reply(connection, new ServerMessage.Error(m.id(), ErrorCode.BAD_CREDENTIALS, connection.caller().anonymous()
                    ? "a guest connection cannot take credentials: reconnect with them"
                    : "the credential is not valid, or names another user", null));
            return;
        }
        connection.refreshed(fresh.get());
        Instant expires = fresh.get().expiresAt();
        reply(connection, new ServerMessage.Refreshed(m.id(), expires == null ? null : expires.toEpochMilli(),
                expiresInMs(expires)));
    }

    private static Long expiresInMs(Instant expires) {
        return expires == null ? null : Math.max(0, expires.toEpochMilli() - System.currentTimeMillis());
    }

    /** {@code /ws/monitor} is push-only: {@code ping} is answered, anything else is an error. */
    private void monitor(Connection connection, ClientMessage message) {
        if (message instanceof ClientMessage.Ping ping) {
            reply(connection, new ServerMessage.Pong(ping.id()));
        } else {
            reply(connection, new ServerMessage.Error(message.id(), ErrorCode.UNKNOWN_TYPE,
                    "/ws/monitor is push-only: it accepts ping and nothing else", null));
        }
    }

    /**
     * Applies the connection's rate limit to one message: true to process it; otherwise it was answered with
     * {@code rate_limited}, or the connection is being closed with 4029 because the flood went on.
     */
    private boolean admit(Connection connection, String re) {
        switch (connection.rate.onMessage(System.nanoTime())) {
            case ALLOW:
                return true;
            case REFUSE:
                reply(connection, new ServerMessage.Error(re, ErrorCode.RATE_LIMITED, "slow down: at most "
                        + settings.limits().ratePerSecond() + " messages a second", null));
                return false;
            default:
                connection.close(CloseCodes.RATE_LIMITED, "rate limit exceeded repeatedly");
                return false;
        }
    }

    /** Joins {@code room}; false when refused (answered with forbidden, too_many_rooms or room_full). */
    boolean join(Connection connection, String re, String room, String sinceEpoch, Long sinceOffset) {
        if (!authorizer.allows(connection.caller(), RoomAuthorizer.Action.JOIN, room)) {
            reply(connection, forbidden(re, "join", room));
            return false;
        }
        int maxRooms = settings.limits().roomsPerConnection();
        if (maxRooms > 0 && connection.rooms.size() >= maxRooms && !connection.rooms.contains(room)) {
            reply(connection, new ServerMessage.Error(re, ErrorCode.TOO_MANY_ROOMS,
                    "a connection may join at most " + maxRooms + " rooms; leave one first", Map.of("room", "too many rooms")));
            return false;
        }
        Room.JoinResult result;
        do { // a room retired by the sweep between lookup and join is replaced by a new one
            Room target = rooms.getOrCreate(room);
            if (target == null) {
                reply(connection, new ServerMessage.Error(re, ErrorCode.NODE_FULL, "this server holds as many rooms as it"
                        + " may; try again later", Map.of("room", "no room for it on this node")));
                return false;
            }
            result = target.join(connection, re, sinceEpoch, sinceOffset, System.currentTimeMillis());
            if (result.retired()) {
                rooms.retired(target);
            }
        } while (result.retired());
        if (result.full()) {
            reply(connection, new ServerMessage.Error(re, ErrorCode.ROOM_FULL, "room '" + room + "' is full",
                    Map.of("room", "full")));
            return false;
        }
        if (result.added()) {
            events.accept(new SwitchboardEvent.RoomJoined(room, connection.id(), connection.user()));
        }
        return true;
    }

    private void leave(Connection connection, ClientMessage.Leave m) {
        Room room = rooms.get(m.room());
        if (room == null || !room.leave(connection)) {
            reply(connection, notJoined(m.id(), m.room()));
            return;
        }
        reply(connection, new ServerMessage.Left(m.id(), m.room()));
        events.accept(new SwitchboardEvent.RoomLeft(m.room(), connection.id(), connection.user()));
    }

    private void publish(Connection connection, ClientMessage.Publish m) {
        Room room = rooms.get(m.room());
        if (room == null || !room.contains(connection)) {
            reply(connection, notJoined(m.id(), m.room()));
            return;
        }
        if (!authorizer.allows(connection.caller(), RoomAuthorizer.Action.PUBLISH, m.room())) {
            reply(connection, forbidden(m.id(), "publish to", m.room()));
            return;
        }
        // a key is the publisher's own: another user's equal key is another key. Guests get a new name on every
        // connection, so their keys share one scope (a key is random: another guest cannot guess it), or a guest's
        // retry after a reconnect would publish again
        String key = m.key() == null ? null
                : (connection.caller().anonymous() ? "guest" : "user " + connection.user()) + " " + m.key();
        RoomLog.Published published = messaging.publish(room, m.room(), connection.user(), m.data(), key);
        if (published == null) {
            reply(connection, new ServerMessage.Error(m.id(), ErrorCode.UNAVAILABLE,
                    "the server is shutting down: reconnect and publish again", null));
            return;
        }
        Publication publication = published.publication();
        reply(connection, new ServerMessage.Ack(m.id(), publication.room(), publication.offset()));
    }

    private void send(Connection connection, ClientMessage.Send m) {
        if (!authorizer.allowsDirect(connection.caller(), m.to())) {
            reply(connection, new ServerMessage.Error(m.id(), ErrorCode.FORBIDDEN,
                    "you may not send direct messages to '" + m.to() + "'", null));
            return;
        }
        int reached = messaging.sendToUser(connection.user(), m.to(), m.data());
        if (reached == 0) {
            reply(connection, new ServerMessage.Error(m.id(), ErrorCode.UNKNOWN_USER,
                    "user '" + m.to() + "' has no open connection", Map.of("to", "not connected")));
        } else {
            reply(connection, new ServerMessage.Ack(m.id(), null, null));
        }
    }

    private void request(Connection connection, ClientMessage.Request m) {
        RequestHandler handler = handlers.get(m.method());
        if (handler == null) {
            reply(connection, new ServerMessage.Error(m.id(), ErrorCode.UNKNOWN_METHOD,
                    "no handler for method '" + m.method() + "'; known: " + handlers.keySet(), Map.of("method", "unknown")));
            return;
        }
        try {
            JsonValue result = handler.handle(connection.user(), m.data() == null ? JsonValue.NULL : m.data());
            reply(connection, new ServerMessage.Reply(m.id(), result == null ? JsonValue.NULL : result));
        } catch (RequestHandler.RequestFailure e) {
            reply(connection, new ServerMessage.Error(m.id(), e.code(), e.getMessage(), null));
        }
    }

    private void presence(Connection connection, ClientMessage.PresenceQuery m) {
        Room room = rooms.get(m.room());
        if (room == null || !room.contains(connection)) {
            reply(connection, notJoined(m.id(), m.room()));
            return;
        }
        if (!authorizer.allows(connection.caller(), RoomAuthorizer.Action.PRESENCE, m.room())) {
            reply(connection, forbidden(m.id(), "see who is in", m.room()));
            return;
        }
        reply(connection, new ServerMessage.Presence(m.id(), m.room(), room.presence()));
    }

    // ------------------------------------------------------------------ plain room connections

    /** A text frame from a plain room connection: published as-is when it is JSON, as a JSON string otherwise. */
    @Override
    public void text(Connection connection, String room, String text) {
        boolean outer = WriteThrough.begin(connection.outbox); // no lambda: one call per frame allocates nothing for the bracket
        try {
            publishText(connection, room, text);
        } finally {
            if (outer) {
                WriteThrough.end();
            }
        }
    }

    private void publishText(Connection connection, String room, String text) {
        if (!admitFrame(connection, Codec.utf8Length(text))) {
            return;
        }
        if (!authorizer.allows(connection.caller(), RoomAuthorizer.Action.PUBLISH, room)) {
            reply(connection, forbidden(null, "publish to", room));
            return;
        }
        JsonValue data = Codec.parseOrNull(text);
        messaging.publish(null, room, connection.user(), data != null ? data : Codec.json().createValue(text), null);
    }

    /** A binary frame from a plain room connection: fanned out to the room's plain connections, not recorded. */
    @Override
    public void binary(Connection connection, String room, ByteBuffer data) {
        boolean outer = WriteThrough.begin(connection.outbox); // no lambda: one call per frame allocates nothing for the bracket
        try {
            publishBinary(connection, room, data);
        } finally {
            if (outer) {
                WriteThrough.end();
            }
        }
    }

    private void publishBinary(Connection connection, String room, ByteBuffer data) {
        if (!admitFrame(connection, data.remaining())) {
            return;
        }
        Room target = rooms.get(room);
        if (target != null) {
            // a copy the recipients share: the container may reuse the buffer it handed us once this returns
            ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
            target.publishBinary(copy);
        }
    }

    /** A frame of a plain room connection, counted: within the rate limit and the size limit (else 1009). */
    private boolean admitFrame(Connection connection, long bytes) {
        metrics.messagesIn.increment();
        connection.messageReceived();
        if (!admit(connection, null)) {
            return false;
        }
        if (bytes > settings.maxMessageBytes()) {
            connection.close(CloseCodes.TOO_BIG, "message larger than " + settings.maxMessageBytes() + " bytes");
            return false;
        }
        return true;
    }

    // ------------------------------------------------------------------ replies

    private static ServerMessage forbidden(String re, String action, String room) {
        return new ServerMessage.Error(re, ErrorCode.FORBIDDEN, "you may not " + action + " room '" + room + "'",
                Map.of("room", "forbidden"));
    }

    private static ServerMessage notJoined(String re, String room) {
        return new ServerMessage.Error(re, ErrorCode.NOT_JOINED, "join room '" + room + "' first", Map.of("room", "not joined"));
    }

    private void reply(Connection connection, ServerMessage message) {
        if (message instanceof ServerMessage.Ack) {
            metrics.acks.increment();
        } else if (message instanceof ServerMessage.Error e) {
            metrics.error(e.code());
        }
        connection.enqueue(Codec.encode(message));
    }
}
