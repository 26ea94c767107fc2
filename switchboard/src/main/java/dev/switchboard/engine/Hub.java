package dev.switchboard.engine;

import dev.switchboard.CloseCodes;
import dev.switchboard.RequestHandler;
import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardEvent;
import dev.switchboard.cluster.Cluster;
import dev.switchboard.cluster.LocalCluster;
import dev.switchboard.cluster.LogStore;
import dev.switchboard.cluster.MemoryLogStore;
import dev.switchboard.config.Settings;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.RoomNames;
import dev.switchboard.security.Caller;
import dev.switchboard.security.RoomAuthorizer;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The engine of one node, and the implementation of {@link Switchboard}: wires the parts — {@link Connections},
 * {@link Rooms}, the {@link Dispatcher} that transports call ({@link #sessions()}), the {@link Liveness} sweep, the
 * {@link ClusterListener}, the operator's side ({@link #administration()}) — and drains on shutdown. Knows no
 * container: the CDI wiring ({@code dev.switchboard.cdi}) makes it and calls {@link #shutdown()}. Every method may be
 * called from any thread; CDI events are fired after the state change, outside every lock, on the calling thread.
 */
public class Hub implements Switchboard {

    /** Shutdown has begun: {@link #shutdown} runs once. */
    private final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(Hub.class.getName());
    private static final String SHUTDOWN_DRAIN = "switchboard.shutdown.drain-ms";

    /** How long shutdown waits for the writers to have sent their 1001s, after the drain. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private Settings settings;
    private Consumer<SwitchboardEvent> events;
    private Cluster cluster;
    private Telemetry telemetry;
    private Connections connections;
    private Rooms rooms;
    private RoomHistory history;
    private ServerRequests serverRequests;
    private Dispatcher dispatcher;
    private Administration administration;
    private ScheduledFuture<?> sweeper;
    private Publishing messaging;
    private Liveness liveness;
    private Tracing tracing;

    /** For CDI's client proxy only. */
    protected Hub() {
    }

    /**
     * The node as the application runs it: the writers and timers of {@code pool}, the cluster started here,
     * {@code credentials} verifying a connection's {@code refresh}, {@code rules} the application's for its rooms,
     * {@code telemetry} told what happens.
     */
    public Hub(Settings settings, WriterPool pool, Consumer<SwitchboardEvent> events, Iterable<RequestHandler> handlers,
               RoomAuthorizer authorizer, RoomRules rules, Cluster cluster, LogStore store,
               Function<String, Optional<Caller>> credentials, Tracing tracing, Telemetry telemetry) {
        this(settings, pool, pool.scheduler(), pool.background(), events, handlers, authorizer, cluster, store, tracing,
                pool.closer(), telemetry);
        dispatcher.verifyCredentialsWith(credentials);
        dispatcher.ruleRoomsWith(rules);
        cluster.start(listener(pool.scheduler(), pool.background()), pool.threadFactory(), pool.scheduler());
    }

    /** For tests and embedding: one node, everything explicit; every action is allowed. */
    Hub(Settings settings, Executor writers, ScheduledExecutorService scheduler, Consumer<SwitchboardEvent> events,
        Iterable<RequestHandler> handlers) {
        this(settings, writers, scheduler, events, handlers, Telemetry.NONE);
    }

    /** For tests and embedding: one node, everything explicit, {@code telemetry} told what happens. */
    Hub(Settings settings, Executor writers, ScheduledExecutorService scheduler, Consumer<SwitchboardEvent> events,
        Iterable<RequestHandler> handlers, Telemetry telemetry) {
        this(settings, writers, scheduler, writers, events, handlers, (caller, action, room) -> true, new LocalCluster(),
                new MemoryLogStore(), Tracing.OFF, writers, telemetry);
    }

    /** For tests and embedding: as below, nothing listening to telemetry. */
    Hub(Settings settings, Executor writers, ScheduledExecutorService scheduler, Executor background,
        Consumer<SwitchboardEvent> events, Iterable<RequestHandler> handlers, RoomAuthorizer authorizer,
        Cluster cluster, LogStore store, Tracing tracing, Executor closer) {
        this(settings, writers, scheduler, background, events, handlers, authorizer, cluster, store, tracing, closer,
                Telemetry.NONE);
    }

    /**
     * For tests and embedding: everything explicit. A shared {@code cluster} is not started here: start it with
     * {@link #listener}.
     */
    Hub(Settings settings, Executor writers, ScheduledExecutorService scheduler, Executor background,
        Consumer<SwitchboardEvent> events, Iterable<RequestHandler> handlers, RoomAuthorizer authorizer,
        Cluster cluster, LogStore store, Tracing tracing, Executor closer, Telemetry telemetry) {
        this.settings = settings;
        this.tracing = tracing;
        this.events = events;
        this.cluster = cluster;
        this.telemetry = telemetry;
        Codec.limitMessageBytes(settings.maxMessageBytes());
        this.connections = new Connections(settings, writers, telemetry, cluster, closer);
        HistoryBudget historyBudget = new HistoryBudget(settings.limits().historyNodeMaxBytes());
        this.rooms = new Rooms(settings, scheduler, cluster, store, background, historyBudget, telemetry, tracing);
        this.serverRequests = new ServerRequests(scheduler);
        this.messaging = new Publishing(settings, rooms, connections, cluster, telemetry, events, tracing);
        this.history = new RoomHistory(settings, rooms, cluster.shared() ? store : null);
        this.dispatcher = new Dispatcher(settings, connections, rooms, messaging, serverRequests,
                handlersByMethod(handlers), dev.switchboard.security.PersonalStreams.guard(authorizer), telemetry, events,
                history);
        this.administration = new Administration(settings, connections, rooms, dispatcher, cluster, historyBudget,
                messaging::closed);
        this.liveness = new Liveness(settings, connections, rooms, telemetry,
                c -> dispatcher.closed(c, 1006, "closed without the container's @OnClose"), // 1006: as a container reports a lost socket
                writers);
        long sweepMillis = Liveness.interval(settings).toMillis();
        this.sweeper = scheduler.scheduleWithFixedDelay(liveness::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }

    /** A listener for the cluster's events, for tests and embedding that start a shared cluster themselves. */
    Cluster.Listener listener(ScheduledExecutorService scheduler, Executor background) {
        return new ClusterListener(cluster, connections, rooms, scheduler, background, settings.presenceCoalesce().toMillis(),
                new ClusterListener.Admin() {
                    @Override
                    public void removeFromRoom(String room, String user) {
                        dispatcher.removeFromRoom(room, user);
                    }

                    @Override
                    public String answer(String question, String argument) {
                        return administration.answer(question, argument);
                    }
                }, events);
    }

    private static Map<String, RequestHandler> handlersByMethod(Iterable<RequestHandler> handlers) {
        Map<String, RequestHandler> byMethod = new HashMap<>();
        for (RequestHandler handler : handlers) {
            RequestHandler previous = byMethod.put(handler.method(), handler);
            if (previous != null) {
                throw new IllegalStateException("Two RequestHandler beans answer method '" + handler.method() + "': "
                        + previous.getClass().getName() + " and " + handler.getClass().getName()
                        + ". Give each a unique method().");
            }
        }
        return Map.copyOf(byMethod);
    }

    public Settings settings() {
        return settings;
    }

    /** What transports call. */
    public Sessions sessions() {
        return dispatcher;
    }

    /** How often the liveness sweep runs (and probes the writers). */
    public Duration sweepInterval() {
        return Liveness.interval(settings);
    }

    /** What an operator sees of this node and may do to it. */
    public NodeAdmin admin() {
        return administration;
    }

    /** What this node holds now, as a snapshot (stats, health, metrics). */
    public NodeState state() {
        return administration;
    }

    // ------------------------------------------------------------------ public API (Switchboard)

    @Override
    public Publication publish(String room, JsonValue data, java.util.Map<String, String> tags, String idempotencyKey) {
        if (!RoomNames.isValid(room)) {
            throw new IllegalArgumentException("'" + room + "' is not a room name: " + RoomNames.RULE);
        }
        java.util.Map<String, String> checked = dev.switchboard.protocol.Tags.of(tags);
        telemetry.messageReceived(); // a publication by the application (API, HTTP) is a message in, too
        RoomLog.Published published = messaging.publish(null, room, null, data == null ? JsonValue.NULL : data, checked,
                idempotencyKey);
        if (published == null) {
            throw new Refused(dev.switchboard.protocol.ErrorCode.UNAVAILABLE,
                    "shutting down: publications are no longer accepted here");
        }
        return published.publication();
    }

    @Override
    public int sendToUser(String user, JsonValue data) {
        return messaging.sendToUser(null, user, data);
    }

    @Override
    public CompletionStage<JsonValue> request(String connection, String method, JsonValue data, Duration timeout) {
        return serverRequests.ask(connections.get(connection), method, data, timeout);
    }

    @Override
    public Set<String> rooms() {
        return rooms.names();
    }

    @Override
    public List<Member> presence(String room) {
        Room target = rooms.get(room);
        return target == null ? List.of() : target.presence();
    }

    @Override
    public HistoryPage history(String room, int limit, String sinceEpoch, Long sinceOffset, boolean newestFirst,
                               dev.switchboard.protocol.TagFilter filter) {
        return history.page(room, limit, sinceEpoch, sinceOffset, newestFirst, filter, System.currentTimeMillis());
    }

    @Override
    public Publication sendToUserStream(String user, JsonValue data) {
        return publish(dev.switchboard.security.PersonalStreams.of(user), data);
    }

    @Override
    public Occupancy occupancy(String room) {
        return rooms.occupancy(room);
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
        return connections.disconnect(user, closeCode, reason);
    }

    /**
     * Undeploy or shutdown: what was accepted for delivery goes out first, within the drain timeout (with a cluster:
     * after what this node appended has come back to it); then every
     * connection is told 1001 (going away) so clients reconnect, to this node when it is back or to another one.
     */
    public void shutdown() {
        if (!stopping.compareAndSet(false, true)) {
            return; // once: the container's disposal after an earlier call (or a second disposal) finds it done
        }
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        messaging.close();
        long started = System.nanoTime();
        long deadline = started + settings.shutdownDrain().toNanos();
        // what this node acknowledged comes back through the cluster before it reaches members here: wait for it too
        while (System.nanoTime() < deadline && undrained()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        if (undrained()) {
            long sending = connections.all().stream().filter(c -> !c.drained() && !c.isClosing()).count();
            LOG.warning(() -> "Shutdown: not drained within "
                    + settings.shutdownDrain().toMillis() + " ms (" + SHUTDOWN_DRAIN + "): " + sending
                    + " connections still sending, publishes in flight " + messaging.inFlight() + ", own publications"
                    + " delivered " + rooms.deliveredOwn() + "; what they hold is lost with the 1001");
        }
        for (Connection connection : connections.all()) {
            connection.outbox.terminate(CloseCodes.GOING_AWAY, "server shutting down: reconnect");
        }
        // The writers send the 1001s on their threads; returning before they did lets the container tear the sockets
        // down first, and the clients see 1006 instead (Payara: seen once in CI, ShutdownIT). Bounded: a peer that
        // does not read cannot hold the undeploy.
        long closing = System.nanoTime() + CLOSE_GRACE.toNanos();
        while (System.nanoTime() < closing && connections.all().stream().anyMatch(c -> !c.outbox.closedOut())) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        dispatcher.stop();
        cluster.stop();
    }

    private boolean undrained() {
        return messaging.inFlight() || !rooms.deliveredOwn()
                || connections.all().stream().anyMatch(c -> !c.drained() && !c.isClosing());
    }

    // ------------------------------------------------------------------ for the engine's tests

    /** How {@code refresh} verifies credentials (the CDI constructor uses {@code Credentials}). */
    void verifyCredentialsWith(java.util.function.Function<String, Optional<Caller>> verifier) {
        dispatcher.verifyCredentialsWith(verifier);
    }

    /** Opens a connection as a transport would; {@code welcome} false skips {@code /ws}'s welcome frame. */
    Connection open(Transport transport, String user, String endpoint, boolean welcome) {
        Caller caller = user == null ? null : new Caller(user, Set.of(), false, null);
        if (welcome || !endpoint.equals("/ws")) {
            return dispatcher.open(transport, caller, endpoint, false, null);
        }
        Connection connection = connections.open(transport, caller, endpoint, null);
        if (connection != null) {
            events.accept(new SwitchboardEvent.ConnectionOpened(connection.id(), connection.user(), endpoint));
        }
        return connection;
    }

    /** The application's rules for its rooms (the public constructor takes them). */
    void ruleRoomsWith(RoomRules rules) {
        dispatcher.ruleRoomsWith(rules);
    }

    boolean join(Connection connection, String re, String room, String sinceEpoch, Long sinceOffset) {
        return dispatcher.join(connection, re, room, sinceEpoch, sinceOffset);
    }

    void dispatch(Connection connection, dev.switchboard.protocol.ClientMessage message) {
        dispatcher.received(connection, message);
    }

    void closed(Connection connection, int code, String reason) {
        dispatcher.closed(connection, code, reason);
    }

    /** One sweep of {@link Liveness}, now. */
    void sweep() {
        liveness.sweep();
    }

    Room room(String name) {
        return rooms.get(name);
    }
}
