package dev.switchboard.engine;

import dev.switchboard.CloseCodes;
import dev.switchboard.RequestHandler;
import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardEvent;
import dev.switchboard.protocol.ClientMessage;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.ServerMessage;
import dev.switchboard.security.Caller;
import dev.switchboard.security.RoomAuthorizer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one owner of open connections and rooms on this node, and the implementation of {@link Switchboard}.
 * Endpoints hand it what they receive; it answers with typed replies and never blocks on a client.
 *
 * <p>Thread-safety: every method may be called from any thread. Connection and room maps are concurrent; each room
 * serializes its own publications (see {@link Room}). CDI events are fired after the state change, outside every
 * lock, on the calling thread.
 */
@ApplicationScoped
public class Hub implements Switchboard {

    private static final Logger LOG = Logger.getLogger(Hub.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] NAME_CHARS = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private Settings settings;
    private Executor writers;
    private ScheduledExecutorService scheduler;
    private ServerRequests serverRequests;
    private ScheduledFuture<?> sweeper;
    private Consumer<SwitchboardEvent> events;
    private Map<String, RequestHandler> handlers;
    private RoomAuthorizer authorizer;
    private Cluster cluster;
    private final Set<String> presenceStale = ConcurrentHashMap.newKeySet();

    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, Set<Connection>> byUser = new ConcurrentHashMap<>();
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final AtomicLong connectionIds = new AtomicLong();
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder publications = new LongAdder();
    private final LongAdder slowConsumers = new LongAdder();
    private final LongAdder heartbeatCloses = new LongAdder();
    private final LongAdder sentByClosed = new LongAdder();
    private final LongAdder droppedByClosed = new LongAdder();
    /** How long sends take (µs), from start to the container's completion; read once per sweep. */
    private final org.HdrHistogram.Recorder sendTimes = new org.HdrHistogram.Recorder(Connection.SEND_TIME_MAX_MICROS, 2);
    private volatile org.HdrHistogram.Histogram lastSendTimes = new org.HdrHistogram.Histogram(Connection.SEND_TIME_MAX_MICROS, 2);

    /** For CDI's client proxy only. */
    protected Hub() {
    }

    @Inject
    Hub(Settings settings, WriterPool writerPool, Event<SwitchboardEvent> events, Instance<RequestHandler> handlers,
        RoomAuthorizer authorizer, Cluster cluster) {
        this(settings, writerPool, writerPool.scheduler(), events::fire, handlers, authorizer);
        this.cluster = cluster;
        cluster.start(new ClusterEvents(), writerPool.threadFactory(), writerPool.scheduler());
    }

    /** For tests and embedding: everything explicit; every action is allowed. */
    Hub(Settings settings, Executor writers, ScheduledExecutorService scheduler, Consumer<SwitchboardEvent> events,
        Iterable<RequestHandler> handlers) {
        this(settings, writers, scheduler, events, handlers, (caller, action, room) -> true);
    }

    /** For tests and embedding: everything explicit. */
    Hub(Settings settings, Executor writers, ScheduledExecutorService scheduler, Consumer<SwitchboardEvent> events,
        Iterable<RequestHandler> handlers, RoomAuthorizer authorizer) {
        this.settings = settings;
        this.authorizer = authorizer;
        this.cluster = new LocalCluster();
        Codec.limitMessageBytes(settings.maxMessageBytes());
        this.writers = writers;
        this.scheduler = scheduler;
        this.serverRequests = new ServerRequests(scheduler);
        long sweepMillis = sweepInterval(settings).toMillis();
        this.sweeper = scheduler.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        this.events = events;
        Map<String, RequestHandler> byMethod = new HashMap<>();
        for (RequestHandler handler : handlers) {
            RequestHandler previous = byMethod.put(handler.method(), handler);
            if (previous != null) {
                throw new IllegalStateException("Two RequestHandler beans answer method '" + handler.method() + "': "
                        + previous.getClass().getName() + " and " + handler.getClass().getName()
                        + ". Give each a unique method().");
            }
        }
        this.handlers = Map.copyOf(byMethod);
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Created with the application, not on first use: with a cluster, the node joins it (heartbeats, presence of
     * other nodes) before its first client.
     */
    void started(@jakarta.enterprise.event.Observes @jakarta.enterprise.context.Initialized(ApplicationScoped.class) Object event) {
        LOG.log(Level.FINE, "Switchboard hub started ({0} cluster)", cluster.shared() ? "shared" : "local");
    }

    // ------------------------------------------------------------------ lifecycle (called by endpoints)

    /**
     * Registers a new connection for {@code user} ({@code null}: a generated anonymous name) and queues
     * {@code welcome} when {@code welcome} is true.
     */
    Connection open(Transport transport, String user, String endpoint, boolean welcome) {
        return open(transport, user == null ? null : new Caller(user, Set.of(), false, null), endpoint, welcome);
    }

    /**
     * Registers a new connection for {@code caller} ({@code null}: a guest with a generated name) and queues
     * {@code welcome} when asked. Returns null when the user already has as many connections as allowed.
     */
    Connection open(Transport transport, Caller caller, String endpoint, boolean welcome) {
        String id = Long.toString(connectionIds.incrementAndGet(), 36) + "-" + randomName(4);
        Caller who = caller != null ? caller : new Caller("guest-" + randomName(6), Set.of(), true, null);
        String name = who.name();
        Settings.Limits limits = settings.limits();
        Connection connection = new Connection(id, who, endpoint, transport, writers, settings.queueMessages(),
                settings.queueBytes(), this::slowConsumer);
        connection.sendTimes = sendTimes;
        connection.rate = new RateLimiter(limits.ratePerSecond(), limits.rateBurst(), limits.rateStrikes(), System.nanoTime());
        boolean[] admitted = {true};
        byUser.compute(name, (u, set) -> {
            Set<Connection> mine = set != null ? set : ConcurrentHashMap.newKeySet();
            if (limits.connectionsPerUser() > 0 && mine.size() >= limits.connectionsPerUser()) {
                admitted[0] = false;
            } else {
                mine.add(connection);
            }
            return mine.isEmpty() ? null : mine;
        });
        if (!admitted[0]) {
            return null; // the endpoint closes with 1013
        }
        connections.put(id, connection);
        userCountChanged(name);
        if (welcome) {
            connection.enqueue(Codec.encode(new ServerMessage.Welcome(id, name, settings.heartbeat().toMillis(),
                    "switchboard.v1", new ServerMessage.Limits(settings.maxMessageBytes(), Codec.MAX_ID_LENGTH,
                            limits.ratePerSecond(), limits.rateBurst()))));
        }
        events.accept(new SwitchboardEvent.ConnectionOpened(id, name, endpoint));
        return connection;
    }

    /** The connection ended (its {@code @OnClose}); leaves every room. Idempotent. */
    void closed(Connection connection, int code, String reason) {
        connection.closed();
        if (connections.remove(connection.id()) == null) {
            return;
        }
        serverRequests.closed(connection);
        sentByClosed.add(connection.sent());
        droppedByClosed.add(connection.dropped());
        byUser.computeIfPresent(connection.user(), (u, set) -> {
            set.remove(connection);
            return set.isEmpty() ? null : set;
        });
        userCountChanged(connection.user());
        for (String name : List.copyOf(connection.rooms)) {
            Room room = rooms.get(name);
            if (room != null && room.leave(connection)) {
                events.accept(new SwitchboardEvent.RoomLeft(name, connection.id(), connection.user()));
            }
        }
        events.accept(new SwitchboardEvent.ConnectionClosed(connection.id(), connection.user(), code, reason));
    }

    private void userCountChanged(String user) {
        if (cluster.shared()) {
            Set<Connection> mine = byUser.get(user);
            cluster.userConnections(user, mine == null ? 0 : mine.size());
        }
    }

    private void slowConsumer(Connection connection) {
        slowConsumers.increment();
        LOG.log(Level.INFO, "Closing {0} with 4008: its outbound queue overflowed or a send timed out", connection);
    }

    // ------------------------------------------------------------------ protocol (called by the /ws endpoint)

    /** Handles one decoded client message; every outcome is a reply queued on {@code connection}. */
    void dispatch(Connection connection, ClientMessage message) {
        messagesIn.increment();
        connection.messageReceived();
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

    /**
     * Joins {@code room}; used by {@code /ws} and on open of {@code /ws/rooms/{room}}. Returns false when the join
     * was refused (answered with {@code too_many_rooms} or {@code room_full}).
     */
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
            Room target = rooms.computeIfAbsent(room, this::newRoom);
            result = target.join(connection, re, sinceEpoch, sinceOffset, System.currentTimeMillis());
            if (result.retired()) {
                rooms.remove(room, target);
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
        Publication publication = publishTo(room, connection.user(), m.data());
        if (publication == null) {
            reply(connection, notJoined(m.id(), m.room()));
            return;
        }
        reply(connection, new ServerMessage.Ack(m.id(), publication.room(), publication.offset()));
    }

    /** A text frame from a plain room connection: published as-is when it is JSON, as a JSON string otherwise. */
    void publishFrame(Connection connection, String room, String text) {
        messagesIn.increment();
        connection.messageReceived();
        if (!admit(connection, null)) {
            return;
        }
        if (Codec.utf8Length(text) > settings.maxMessageBytes()) {
            connection.close(CloseCodes.TOO_BIG, "message larger than " + settings.maxMessageBytes() + " bytes");
            return;
        }
        if (!authorizer.allows(connection.caller(), RoomAuthorizer.Action.PUBLISH, room)) {
            reply(connection, forbidden(null, "publish to", room));
            return;
        }
        JsonValue data = Codec.parseOrNull(text);
        publishTo(room, connection.user(), data != null ? data : jakarta.json.Json.createValue(text));
    }

    /** A binary frame from a plain room connection: fanned out to the room's plain connections, not recorded. */
    void publishBinary(Connection connection, String room, ByteBuffer data) {
        messagesIn.increment();
        connection.messageReceived();
        if (!admit(connection, null)) {
            return;
        }
        if (data.remaining() > settings.maxMessageBytes()) {
            connection.close(CloseCodes.TOO_BIG, "message larger than " + settings.maxMessageBytes() + " bytes");
            return;
        }
        Room target = rooms.get(room);
        if (target != null) {
            target.publishBinary(data.asReadOnlyBuffer());
        }
    }

    private void send(Connection connection, ClientMessage.Send m) {
        if (!authorizer.allowsDirect(connection.caller(), m.to())) {
            reply(connection, new ServerMessage.Error(m.id(), ErrorCode.FORBIDDEN,
                    "you may not send direct messages to '" + m.to() + "'", null));
            return;
        }
        int reached = sendToUser(connection.user(), m.to(), m.data());
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

    /** The room named {@code name}, or null; for tests in this package. */
    Room room(String name) {
        return rooms.get(name);
    }

    boolean mayJoin(Connection connection, String room) {
        return authorizer.allows(connection.caller(), RoomAuthorizer.Action.JOIN, room);
    }

    private static ServerMessage forbidden(String re, String action, String room) {
        return new ServerMessage.Error(re, ErrorCode.FORBIDDEN, "you may not " + action + " room '" + room + "'",
                Map.of("room", "forbidden"));
    }

    private static ServerMessage notJoined(String re, String room) {
        return new ServerMessage.Error(re, ErrorCode.NOT_JOINED, "join room '" + room + "' first", Map.of("room", "not joined"));
    }

    private static void reply(Connection connection, ServerMessage message) {
        connection.enqueue(Codec.encode(message));
    }

    // ------------------------------------------------------------------ public API (Switchboard)

    @Override
    public Publication publish(String room, JsonValue data) {
        if (!Codec.isRoomName(room)) {
            throw new IllegalArgumentException("'" + room + "' is not a room name: use 1-128 letters, digits and _ . : @ -");
        }
        messagesIn.increment(); // a publication by the application (API, HTTP) is a message in, too
        return publishTo(room, null, data == null ? JsonValue.NULL : data);
    }

    /** Publishes to {@code name}, creating the room if needed (or again, if it was retired meanwhile). */
    private Publication publishTo(String name, String from, JsonValue data) {
        while (true) {
            Room room = rooms.computeIfAbsent(name, this::newRoom);
            Publication publication = publishTo(room, from, data);
            if (publication != null) {
                return publication;
            }
            rooms.remove(name, room);
        }
    }

    /** Publishes to {@code room}; null when it was retired meanwhile. */
    private Publication publishTo(Room room, String from, JsonValue data) {
        Publication publication = room.publish(from, data, System.currentTimeMillis());
        if (publication == null) {
            return null;
        }
        publications.increment();
        events.accept(new SwitchboardEvent.MessagePublished(room.name(), publication.epoch(), publication.offset(), from, data));
        return publication;
    }

    @Override
    public int sendToUser(String user, JsonValue data) {
        return sendToUser(null, user, data);
    }

    /** Queues a direct message on every connection of {@code user}, on this node and (shared) on the others. */
    private int sendToUser(String from, String user, JsonValue data) {
        String frame = Codec.encode(new ServerMessage.Direct(from, data == null ? JsonValue.NULL : data));
        int queued = deliverDirect(user, frame);
        if (cluster.shared()) {
            try {
                int elsewhere = cluster.remoteConnections(user);
                if (elsewhere > 0) {
                    cluster.direct(user, frame);
                    queued += elsewhere;
                }
            } catch (Cluster.Unavailable e) {
                LOG.log(Level.FINE, "Direct message to {0} delivered on this node only: {1}", new Object[] {user, e.getMessage()});
            }
        }
        return queued;
    }

    private int deliverDirect(String user, String frame) {
        Set<Connection> targets = byUser.get(user);
        if (targets == null || targets.isEmpty()) {
            return 0;
        }
        int queued = 0;
        for (Connection target : targets) {
            if (target.enqueue(frame)) {
                queued++;
            }
        }
        return queued;
    }

    @Override
    public CompletionStage<JsonValue> request(String connection, String method, JsonValue data, Duration timeout) {
        return serverRequests.ask(connections.get(connection), method, data, timeout);
    }

    @Override
    public Set<String> rooms() {
        Set<String> names = new java.util.TreeSet<>();
        rooms.forEach((name, room) -> {
            if (!room.isEmpty()) {
                names.add(name);
            }
        });
        return Set.copyOf(names);
    }

    @Override
    public List<Member> presence(String room) {
        Room target = rooms.get(room);
        return target == null ? List.of() : target.presence();
    }

    @Override
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public int disconnect(String user, int closeCode, String reason) {
        if (cluster.shared()) {
            cluster.disconnect(user, closeCode, reason);
        }
        return disconnectHere(user, closeCode, reason);
    }

    private int disconnectHere(String user, int closeCode, String reason) {
        Set<Connection> targets = byUser.get(user);
        if (targets == null) {
            return 0;
        }
        int closed = 0;
        for (Connection c : List.copyOf(targets)) {
            c.close(closeCode, reason);
            closed++;
        }
        return closed;
    }

    /** Counters for operators and the stats page; a consistent-enough snapshot, never null. */
    public Stats stats() {
        org.HdrHistogram.Histogram send = lastSendTimes;
        long queued = 0;
        long sent = 0;
        long dropped = 0;
        int deepest = 0;
        for (Connection c : connections.values()) {
            int depth = c.queued();
            queued += depth;
            deepest = Math.max(deepest, depth);
            sent += c.sent();
            dropped += c.dropped();
        }
        return new Stats(connections.size(), rooms().size(), messagesIn.sum(), publications.sum(),
                sentByClosed.sum() + sent, droppedByClosed.sum() + dropped, slowConsumers.sum(),
                heartbeatCloses.sum(), queued, deepest, send.getTotalCount(), send.getValueAtPercentile(50),
                send.getValueAtPercentile(99), send.getMaxValue(), cluster.shared() ? "redis" : "memory",
                cluster.reachable(), cluster.nodes(), cluster.node());
    }

    /**
     * Operational counters of this node: connections and rooms now; messages received, publications accepted,
     * frames sent, publications dropped or conflated by slow-consumer policies, connections closed as slow
     * consumers and for missed heartbeats since start; messages queued now, in all and on the deepest queue; sends
     * completed in the last sweep interval (about a second) with their duration's median, 99th percentile and maximum
     * in µs (from the start of the send to the container's completion); the cluster engine ({@code memory} or
     * {@code redis}), whether its store is reachable, how many nodes are live, and this node's id.
     */
    public record Stats(int connections, int rooms, long messagesIn, long publications, long messagesOut,
                        long dropped, long slowConsumerCloses, long heartbeatCloses, long queuedMessages,
                        int maxQueuedMessages, long sends, long sendP50Micros, long sendP99Micros, long sendMaxMicros,
                        String cluster, boolean clusterReachable, int nodes, String node) {
    }


    /**
     * Undeploy or shutdown: every connection is told 1001 (going away) so clients reconnect, to this node when it
     * is back or to another one.
     */
    @PreDestroy
    void shutdown() {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        // let what was accepted for delivery go out first, within the drain timeout
        long deadline = System.nanoTime() + settings.shutdownDrain().toNanos();
        while (System.nanoTime() < deadline && connections.values().stream().anyMatch(c -> c.queued() > 0 && !c.isClosing())) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        for (Connection connection : connections.values()) {
            connection.closeNow(CloseCodes.GOING_AWAY, "server shutting down: reconnect");
        }
        cluster.stop();
    }

    /**
     * Once per sweep interval: pings every connection once per heartbeat interval, with a token its pong must
     * echo; closes those that leave a ping unanswered for two intervals: 4000 when nothing at all came from the
     * peer meanwhile (it is gone), 4008 when it is there but not reading (its pong waits behind the backlog, whatever
     * the container buffers); closes connections idle past the idle timeout (1001) or that never sent a first
     * message (1008), and closes as slow consumers those whose current send has run past the send timeout (a
     * backstop for containers that do not enforce {@code setSendTimeout}); drops rooms that have been empty and idle
     * for longer than their history is kept (at least a minute), so that short-lived rooms do not accumulate.
     */
    void sweep() {
        try {
            lastSendTimes = sendTimes.getIntervalHistogram(); // a new one each time: readers may still hold the last
            long now = System.nanoTime();
            long heartbeat = settings.heartbeat().toNanos();
            long idle = settings.idleTimeout().toNanos();
            long first = settings.firstMessageTimeout().toNanos();
            long sendTimeout = settings.sendTimeout().toNanos();
            for (Connection c : connections.values()) {
                if (c.isClosing()) {
                    continue;
                }
                long started = c.sendStartedNanos();
                java.time.Instant expires = c.caller().expiresAt();
                if (expires != null && expires.toEpochMilli() <= System.currentTimeMillis()) {
                    c.close(CloseCodes.POLICY_VIOLATION, "credentials expired: sign in again");
                } else if (sendTimeout > 0 && started != 0 && now - started > sendTimeout) {
                    slowConsumers.increment();
                    c.close(CloseCodes.SLOW_CONSUMER, "slow consumer: send timed out");
                } else if (heartbeat > 0 && c.pingOutstandingSince() != 0 && now - c.pingOutstandingSince() > 2 * heartbeat) {
                    // a ping unanswered for two intervals: the peer is gone, or alive but not reading what it is sent
                    if (c.lastHeardNanos() > c.pingOutstandingSince()) {
                        slowConsumers.increment();
                        c.close(CloseCodes.SLOW_CONSUMER, "slow consumer: heartbeat not answered within two intervals");
                    } else {
                        heartbeatCloses.increment();
                        c.close(CloseCodes.HEARTBEAT_TIMEOUT, "no answer to the heartbeat within two intervals");
                    }
                } else if (first > 0 && c.lastMessageNanos() == 0 && "/ws".equals(c.endpoint())
                        && now - c.openedNanos() > first) {
                    c.close(CloseCodes.POLICY_VIOLATION, "no message within " + settings.firstMessageTimeout().toSeconds() + " s of opening");
                } else if (idle > 0 && now - Math.max(c.lastMessageNanos(), c.openedNanos()) > idle) {
                    c.close(CloseCodes.GOING_AWAY, "idle for " + settings.idleTimeout().toSeconds() + " s");
                } else if (heartbeat > 0 && c.pingOutstandingSince() == 0 && now - c.lastPingAnsweredNanos() > heartbeat) {
                    c.ping();
                }
            }
            long nowMillis = System.currentTimeMillis();
            rooms.forEach((name, room) -> {
                long unused = Math.max(60_000, settings.policyFor(name).historyTtl().toMillis());
                if (room.retireIfIdle(nowMillis, unused)) {
                    rooms.remove(name, room);
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Heartbeat sweep failed; it runs again next interval", e);
        }
    }

    private static Duration sweepInterval(Settings settings) {
        long hb = settings.heartbeat().toMillis();
        return Duration.ofMillis(hb > 0 ? Math.max(100, Math.min(1000, hb / 2)) : 1000);
    }

    private Room newRoom(String name) {
        RoomPolicy policy = settings.policyFor(name);
        return new Room(name, new InMemoryHistory(policy.historySize(), policy.historyTtl()), policy.slowConsumer(),
                policy.maxMembers(), scheduler, settings.presenceCoalesce(), cluster, policy);
    }

    // ------------------------------------------------------------------ cluster (several nodes, one room space)

    /** Reads who is in {@code room} on other nodes, coalescing changes within the presence window. */
    private void presenceStale(String room) {
        if (presenceStale.add(room)) {
            long delay = Math.max(20, settings.presenceCoalesce().toMillis());
            scheduler.schedule(() -> writers.execute(() -> refreshPresence(room)), delay, TimeUnit.MILLISECONDS);
        }
    }

    private void refreshPresence(String name) {
        presenceStale.remove(name);
        Room room = rooms.get(name);
        if (room == null) {
            return;
        }
        try {
            room.remotePresence(cluster.remotePresence(name));
        } catch (Cluster.Unavailable e) {
            LOG.log(Level.FINE, "Presence of {0} on other nodes not refreshed: {1}", new Object[] {name, e.getMessage()});
        }
    }

    /** What the other nodes tell this one; on the cluster's one thread, in order. */
    private final class ClusterEvents implements Cluster.Node {

        @Override
        public void publication(String room, String epoch, long offset, String payload) {
            Room target = rooms.get(room);
            if (target != null) {
                target.deliver(epoch, offset, payload, System.currentTimeMillis());
            }
        }

        @Override
        public void reset(String room, String epoch, long offset) {
            Room target = rooms.get(room);
            if (target != null) {
                target.reset(epoch, offset);
            }
        }

        @Override
        public void presenceChanged(String room) {
            if (rooms.containsKey(room)) {
                presenceStale(room);
            }
        }

        @Override
        public void direct(String user, String frame) {
            deliverDirect(user, frame);
        }

        @Override
        public void disconnect(String user, int code, String reason) {
            disconnectHere(user, code, reason);
        }

        @Override
        public void resynchronize() {
            long now = System.currentTimeMillis();
            byUser.forEach((user, mine) -> cluster.userConnections(user, mine.size()));
            rooms.forEach((name, room) -> {
                room.resynchronize(now);
                room.localUsers().forEach((user, count) -> cluster.presence(name, user, count));
                presenceStale(name);
            });
        }

        @Override
        public void nodesChanged() {
            rooms.keySet().forEach(Hub.this::presenceStale);
        }
    }

    private static String randomName(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = NAME_CHARS[RANDOM.nextInt(NAME_CHARS.length)];
        }
        return new String(chars);
    }
}
