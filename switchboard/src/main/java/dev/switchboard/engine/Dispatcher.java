package dev.switchboard.engine;

import dev.switchboard.CloseCodes;
import dev.switchboard.RequestHandler;
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

/**
 * What transports call ({@link Sessions}), and one client message → one action and its reply: rate admission,
 * authorization, then join, leave, publish, send, request, presence, ping or reply. Every outcome is a typed reply
 * queued on the connection, or a documented close code.
 */
final class Dispatcher implements Sessions {

    private final Settings settings;
    private final Connections connections;
    private final Rooms rooms;
    private final Messaging messaging;
    private final ServerRequests serverRequests;
    private final Telemetry telemetry;
    private final Consumer<SwitchboardEvent> events;
    /**
     * Every event type, loaded with the engine: GlassFish 7.0.21 may close the application's class loader before Tyrus
     * reports the closes of the sessions it ends at undeploy, and a close fires RoomLeft/ConnectionClosed, whose classes
     * would otherwise load only then (NoClassDefFoundError on the container's thread, seen in CI).
     */
    private static final Class<?>[] EVENT_TYPES = SwitchboardEvent.class.getPermittedSubclasses();
    private final Replies replies;
    private final RoomActions roomActions;
    private final UserActions userActions;
    /** The brackets' calls, made once: a call per message or frame allocates nothing for its bracket. */
    private final WriteThrough.Call<ClientMessage, Object> onMessage = this::handle;
    private final WriteThrough.Call<String, String> onText = (c, room, text) -> {
        if (admitFrame(c, Codec.utf8Length(text))) {
            roomActions().publishText(c, room, text);
        }
    };
    private final WriteThrough.Call<String, ByteBuffer> onBinary = (c, room, data) -> {
        if (admitFrame(c, data.remaining())) {
            roomActions().publishBinary(room, data);
        }
    };
    private final WriteThrough.Call<Integer, String> onClosed = this::left;
    private static final WriteThrough.Call<Integer, String> REFUSED = Connection::close;
    /** Set once the engine shut down (see {@link #closed}). */
    private volatile boolean stopped;
    /** False while an operator drains the node: transports refuse new connections with 1013. */
    private volatile boolean admitting = true;

    /** What the dispatcher shares with the public API: publishing and direct messages, counted and announced. */
    interface Messaging {
        /** {@code key}: the publisher's idempotency key, already scoped to the publisher, or null. */
        RoomLog.Published publish(Room room, String name, String from, JsonValue data, java.util.Map<String, String> tags,
                                  String key);

        int sendToUser(String from, String user, JsonValue data);
    }

    Dispatcher(Settings settings, Connections connections, Rooms rooms, Messaging messaging, ServerRequests serverRequests,
               Map<String, RequestHandler> handlers, RoomAuthorizer authorizer, Telemetry telemetry,
               Consumer<SwitchboardEvent> events, RoomHistory history) {
        this.settings = settings;
        this.connections = connections;
        this.rooms = rooms;
        this.messaging = messaging;
        this.serverRequests = serverRequests;
        this.telemetry = telemetry;
        this.events = events;
        this.replies = new Replies(telemetry);
        this.roomActions = new RoomActions(settings, rooms, messaging, authorizer, events, replies, history);
        this.userActions = new UserActions(messaging, handlers, authorizer, replies);
    }

    private RoomActions roomActions() {
        return roomActions;
    }

    /** Joins {@code room}; false when refused (answered with forbidden, too_many_rooms, room_full or the rules' code). */
    boolean join(Connection connection, String re, String room, String sinceEpoch, Long sinceOffset) {
        return roomActions.join(connection, re, room, sinceEpoch, sinceOffset, null, null) == null;
    }

    /** The application's rules for rooms; set once, at construction. */
    void ruleRoomsWith(RoomRules rules) {
        roomActions.ruleWith(rules);
    }

    /** An operator's removal of {@code user} (null: every member) from {@code room} here; how many were removed. */
    int removeFromRoom(String room, String user) {
        return roomActions.removeFromRoom(room, user);
    }

    /** How {@code refresh} verifies a credential; set once, at construction. Without it every refresh is refused. */
    void verifyCredentialsWith(Function<String, Optional<Caller>> verifier) {
        userActions.verifyCredentialsWith(verifier);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public Connection open(Transport transport, Caller caller, String endpoint, boolean batching, java.util.Locale language) {
        boolean outer = WriteThrough.begin();
        try {
            return opened(transport, caller == null ? null : caller.speaking(language), endpoint, batching, language);
        } finally {
            if (outer) {
                WriteThrough.end();
            }
        }
    }

    private Connection opened(Transport transport, Caller caller, String endpoint, boolean batching, java.util.Locale language) {
        Connection connection = connections.open(transport, caller, endpoint, language);
        if (connection == null) {
            return null;
        }
        WriteThrough.own(connection.outbox); // the welcome (and a plain room's joined) are written through
        connection.outbox.batching(batching);
        if (connection.kind() == Connection.Kind.SOCKET || connection.kind() == Connection.Kind.STREAM) {
            Settings.Limits limits = settings.limits();
            connection.enqueue(Codec.encode(new ServerMessage.Welcome(connection.id(), connection.user(),
                    settings.heartbeat().toMillis(), batching ? Subprotocols.BATCH : Subprotocols.V1,
                    new ServerMessage.Limits(settings.maxMessageBytes(), Codec.MAX_ID_LENGTH, limits.ratePerSecond(),
                            limits.rateBurst()), expiresInMs(connection.caller().expiresAt()))));
        }
        events.accept(new SwitchboardEvent.ConnectionOpened(connection.id(), connection.user(), endpoint));
        if (connection.kind() == Connection.Kind.ROOM) {
            String room = endpoint.substring("/ws/rooms/".length());
            String refused = roomActions.join(connection, null, room, null, null, null, null);
            if (refused != null) {
                // a plain client cannot go on without its room: full (1013, try later), or refused (4403)
                boolean later = ErrorCode.ROOM_FULL.equals(refused) || ErrorCode.NODE_FULL.equals(refused);
                connection.close(later ? CloseCodes.TRY_AGAIN_LATER : CloseCodes.FORBIDDEN, later ? "room full" : refused);
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
        WriteThrough.run(connection, code, reason, onClosed);
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

    private void left(Connection connection, Integer code, String reason) {
        connection.outbox.peerClosed();
        if (!connections.remove(connection)) {
            return;
        }
        serverRequests.closed(connection);
        telemetry.connectionClosed(code);
        for (String name : connection.rooms()) {
            Room room = rooms.get(name);
            if (room != null && room.leave(connection)) {
                events.accept(new SwitchboardEvent.RoomLeft(name, connection.id(), connection.user()));
                roomActions.left(connection, name);
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
        WriteThrough.run(connection, code, reason, REFUSED);
    }

    // ------------------------------------------------------------------ the /ws protocol

    @Override
    public void received(Connection connection, ClientMessage message) {
        WriteThrough.run(connection, message, null, onMessage);
    }

    private void handle(Connection connection, ClientMessage message, Object unused) {
        telemetry.messageReceived();
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
                roomActions.join(connection, m.id(), m.room(), m.since() == null ? null : m.since().epoch(),
                        m.since() == null ? null : m.since().offset(), m.rewind(),
                        dev.switchboard.protocol.TagFilter.fromJson(m.filter()));
            } else if (message instanceof ClientMessage.Leave m) {
                roomActions.leave(connection, m);
            } else if (message instanceof ClientMessage.Publish m) {
                roomActions.publish(connection, m);
            } else if (message instanceof ClientMessage.Send m) {
                userActions.send(connection, m);
            } else if (message instanceof ClientMessage.Request m) {
                userActions.request(connection, m);
            } else if (message instanceof ClientMessage.PresenceQuery m) {
                roomActions.presence(connection, m);
            } else if (message instanceof ClientMessage.HistoryQuery m) {
                roomActions.history(connection, m);
            } else if (message instanceof ClientMessage.OccupancyQuery m) {
                roomActions.occupancy(connection, m);
            } else if (message instanceof ClientMessage.Ping m) {
                reply(connection, new ServerMessage.Pong(m.id()));
            } else if (message instanceof ClientMessage.Reply m) {
                serverRequests.answered(connection, m);
            } else if (message instanceof ClientMessage.Refresh m) {
                userActions.refresh(connection, m);
            } else if (message instanceof ClientMessage.Malformed m && Codec.TOO_BIG.equals(m.code())) {
                connection.close(CloseCodes.TOO_BIG, m.message());
            } else if (message instanceof ClientMessage.Malformed m) {
                reply(connection, new ServerMessage.Error(m.id(), m.code(), m.message(),
                        m.details().isEmpty() ? null : m.details()));
            }
        } catch (RuntimeException e) {
            reply(connection, Replies.incident(message.id(), "handling a " + message.getClass().getSimpleName()
                    + " from " + connection, e));
        }
    }

    static Long expiresInMs(Instant expires) {
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

    // ------------------------------------------------------------------ plain room connections

    /** A text frame from a plain room connection: published as-is when it is JSON, as a JSON string otherwise. */
    @Override
    public void text(Connection connection, String room, String text) {
        WriteThrough.run(connection, room, text, onText);
    }

    /** A binary frame from a plain room connection: fanned out to the room's plain connections, not recorded. */
    @Override
    public void binary(Connection connection, String room, ByteBuffer data) {
        WriteThrough.run(connection, room, data, onBinary);
    }

    /** A frame of a plain room connection, counted: within the rate limit and the size limit (else 1009). */
    private boolean admitFrame(Connection connection, long bytes) {
        telemetry.messageReceived();
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

    private void reply(Connection connection, ServerMessage message) {
        replies.send(connection, message);
    }
}
