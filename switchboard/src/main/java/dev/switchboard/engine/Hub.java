package dev.switchboard.engine;

import dev.switchboard.CloseCodes;
import dev.switchboard.RequestHandler;
import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardEvent;
import dev.switchboard.cluster.Cluster;
import dev.switchboard.cluster.LocalCluster;
import dev.switchboard.cluster.LogStore;
import dev.switchboard.cluster.MemoryLogStore;
import dev.switchboard.cluster.StoreUnavailable;
import dev.switchboard.config.Settings;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.RoomNames;
import dev.switchboard.protocol.ServerMessage;
import dev.switchboard.security.Caller;
import dev.switchboard.security.RoomAuthorizer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The engine of one node, and the implementation of {@link Switchboard}: wires the parts — {@link Connections},
 * {@link Rooms}, the {@link Dispatcher} that transports call ({@link #sessions()}), the {@link Liveness} sweep, the
 * {@link ClusterListener} — and drains on shutdown. Every method may be called from any thread; CDI events are fired
 * after the state change, outside every lock, on the calling thread.
 */
@ApplicationScoped
public class Hub implements Switchboard {

    private static final Logger LOG = Logger.getLogger(Hub.class.getName());
    /** How long shutdown waits for the writers to have sent their 1001s, after the drain. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private Settings settings;
    private Consumer<SwitchboardEvent> events;
    private Cluster cluster;
    private Metrics metrics;
    private Connections connections;
    private Rooms rooms;
    private HistoryBudget historyBudget;
    /** Shutdown has begun: publishes are refused, so that every one acknowledged is delivered before the 1001s. */
    private volatile boolean draining;
    /** Publishes past the draining check and not yet done (a LongAdder: no shared cache line on the publish path). */
    private final java.util.concurrent.atomic.LongAdder publishing = new java.util.concurrent.atomic.LongAdder();
    private ServerRequests serverRequests;
    private Dispatcher dispatcher;
    private ScheduledFuture<?> sweeper;
    private final Messaging messaging = new Messaging();
    private Liveness liveness;
    private Tracing tracing;

    /** For CDI's client proxy only. */
    protected Hub() {
    }

    @Inject
    Hub(Settings settings, WriterPool writerPool, Event<SwitchboardEvent> events, Instance<RequestHandler> handlers,
        RoomAuthorizer authorizer, Cluster cluster, LogStore store, dev.switchboard.security.Credentials credentials,
        Tracing tracing) {
        this(settings, writerPool, writerPool.scheduler(), writerPool.background(), events::fire, handlers, authorizer,
                cluster, store, tracing, writerPool.closer());
        dispatcher.verifyCredentialsWith(credentials::verify);
        cluster.start(listener(writerPool.scheduler(), writerPool.background()), writerPool.threadFactory(),
                writerPool.scheduler());
    }

    /** For tests and embedding: one node, everything explicit; every action is allowed. */
    Hub(Settings settings, Executor writers, ScheduledExecutorService scheduler, Consumer<SwitchboardEvent> events,
        Iterable<RequestHandler> handlers) {
        this(settings, writers, scheduler, writers, events, handlers, (caller, action, room) -> true, new LocalCluster(),
                new MemoryLogStore(), Tracing.OFF, writers);
    }

    /**
     * For tests and embedding: everything explicit. A shared {@code cluster} is not started here: start it with
     * {@link #listener}.
     */
    Hub(Settings settings, Executor writers, ScheduledExecutorService scheduler, Executor background,
        Consumer<SwitchboardEvent> events, Iterable<RequestHandler> handlers, RoomAuthorizer authorizer,
        Cluster cluster, LogStore store, Tracing tracing, Executor closer) {
        this.settings = settings;
        this.tracing = tracing;
        this.events = events;
        this.cluster = cluster;
        Codec.limitMessageBytes(settings.maxMessageBytes());
        this.metrics = new Metrics();
        this.connections = new Connections(settings, writers, metrics, cluster, closer);
        this.historyBudget = new HistoryBudget(settings.limits().historyNodeMaxBytes());
        this.rooms = new Rooms(settings, scheduler, cluster, store, background, historyBudget, metrics, tracing);
        this.serverRequests = new ServerRequests(scheduler);
        this.dispatcher = new Dispatcher(settings, connections, rooms, messaging, serverRequests,
                handlersByMethod(handlers), authorizer, metrics, events);
        this.liveness = new Liveness(settings, connections, rooms, metrics,
                c -> dispatcher.closed(c, 1006, "closed without the container's @OnClose"), // 1006: as a container reports a lost socket
                writers);
        this.metricsRegistry = PrometheusExport.registry(settings, metrics, connections, rooms, historyBudget, cluster,
                () -> draining());
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
                    public String describeConnections(String user) {
                        return Codec.jsonb().toJson(connectionsHere(user));
                    }
                });
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

    /**
     * Created with the application, not on first use: with a cluster, the node joins it (heartbeats, presence of
     * other nodes) before its first client.
     */
    void started(@Observes @Initialized(ApplicationScoped.class) Object event) {
        LOG.log(Level.FINE, "Switchboard hub started ({0} cluster)", cluster.shared() ? "shared" : "local");
    }

    public Settings settings() {
        return settings;
    }

    /** What transports call. */
    public Sessions sessions() {
        return dispatcher;
    }

    // ------------------------------------------------------------------ public API (Switchboard)

    /** Publishing and direct messages, shared by the API and the dispatcher: counted, announced, across nodes. */
    private final class Messaging implements Dispatcher.Messaging {

        @Override
        public RoomLog.Published publish(Room room, String name, String from, JsonValue data, String key) {
            publishing.increment(); // before the check: shutdown waits for every publish that got past it
            try {
                if (draining) {
                    return null;
                }
                if (!tracing.on()) {
                    return publishNow(room, name, from, data, key);
                }
                try (Tracing.Span span = tracing.publish(name, from == null ? "api" : "socket")) {
                    try {
                        RoomLog.Published published = publishNow(room, name, from, data, key);
                        span.offset(published.publication().offset());
                        return published;
                    } catch (Refused e) {
                        span.refused(e.code());
                        throw e;
                    }
                }
            } finally {
                publishing.decrement();
            }
        }

        private RoomLog.Published publishNow(Room room, String name, String from, JsonValue data, String key) {
            long window = settings.limits().publishKeyWindow().toMillis();
            RoomLog.Published published = room == null ? null : room.publish(from, data, System.currentTimeMillis(), key, window);
            if (published == null) { // a new room, or the successor of a retired one
                published = rooms.publish(name, from, data, key, window);
            }
            if (published.duplicate()) {
                metrics.duplicatePublishes.increment();
                return published; // published before: nothing new, no event
            }
            Publication publication = published.publication();
            metrics.publications.increment();
            events.accept(new SwitchboardEvent.MessagePublished(name, publication.epoch(), publication.offset(), from, data));
            return published;
        }

        /** Queues a direct message on every connection of {@code user}, on this node and (shared) on the others. */
        @Override
        public int sendToUser(String from, String user, JsonValue data) {
            String frame = Codec.encode(new ServerMessage.Direct(from, data == null ? JsonValue.NULL : data));
            int queued = connections.deliverDirect(user, frame);
            if (cluster.shared()) {
                try {
                    int elsewhere = cluster.remoteConnections(user);
                    if (elsewhere > 0) {
                        cluster.direct(user, frame);
                        queued += elsewhere;
                    }
                } catch (StoreUnavailable e) {
                    LOG.log(Level.FINE, "Direct message to {0} delivered on this node only: {1}", new Object[] {user, e.getMessage()});
                }
            }
            return queued;
        }
    }

    @Override
    public Publication publish(String room, JsonValue data) {
        return publish(room, data, null);
    }

    @Override
    public Publication publish(String room, JsonValue data, String idempotencyKey) {
        if (!RoomNames.isValid(room)) {
            throw new IllegalArgumentException("'" + room + "' is not a room name: " + RoomNames.RULE);
        }
        metrics.messagesIn.increment(); // a publication by the application (API, HTTP) is a message in, too
        RoomLog.Published published = messaging.publish(null, room, null, data == null ? JsonValue.NULL : data, idempotencyKey);
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
     * Operational counters of this node: connections and rooms now; messages received, publications accepted,
     * frames sent, publications dropped or conflated by slow-consumer policies, connections closed as slow
     * consumers and for missed heartbeats since start; messages queued now, in all and on the deepest queue; sends
     * completed in the last sweep interval (about a second) with their duration's median, 99th percentile and maximum
     * in µs (from the start of the send to the container's completion); the cluster engine ({@code memory} or
     * {@code redis}), whether its store is reachable, how many nodes are live, this node's id, and the cluster's
     * best-effort commands that failed since start; the history held on this node in estimated bytes, its bound, the
     * publications evicted from it for lack of room; publishes answered as retries of an earlier one (same key); the
     * JVM's heap in use now and its maximum, in bytes (right after a full GC, e.g. {@code jcmd <pid> GC.run}, the
     * first is the live set).
     */
    public record Stats(int connections, int rooms, long messagesIn, long publications, long messagesOut,
                        long dropped, long slowConsumerCloses, long heartbeatCloses, long queuedMessages,
                        int maxQueuedMessages, long sends, long sendP50Micros, long sendP99Micros, long sendMaxMicros,
                        String cluster, boolean clusterReachable, int nodes, String node, long clusterFailures,
                        long historyBytes, long historyMaxBytes, long historyEvicted, long duplicatePublishes,
                        long heapUsedBytes, long heapMaxBytes, long queuedBytes, long queueMaxBytes,
                        long queueBudgetRefusals) {
    }

    /** Counters for operators and the stats page; a consistent-enough snapshot, never null. */
    public Stats stats() {
        org.HdrHistogram.Histogram send = metrics.sendTimes();
        java.lang.management.MemoryUsage heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Connections.Totals now = connections.totals();
        return new Stats(connections.size(), rooms.names().size(), metrics.messagesIn.sum(), metrics.publications.sum(),
                now.sent(), now.dropped(), metrics.slowConsumers.sum(),
                metrics.heartbeatCloses.sum(), now.queued(), now.deepest(), send.getTotalCount(), send.getValueAtPercentile(50),
                send.getValueAtPercentile(99), send.getMaxValue(), cluster.shared() ? "redis" : "memory",
                cluster.reachable(), cluster.nodes(), cluster.node(), cluster.failures(), historyBudget.usedBytes(),
                historyBudget.maxBytes(), historyBudget.evictedCount(), metrics.duplicatePublishes.sum(),
                heap.getUsed(), heap.getMax(), connections.queueBudget().usedSize(),
                connections.queueBudget().maxSize(), connections.queueBudget().refusals());
    }

    // ------------------------------------------------------------------ operations (health, metrics, admin)

    /**
     * An operator's drain ({@code POST /api/admin/drain}): readiness reports DOWN and new handshakes are refused with
     * 503 (the handshake filter; clients reconnect, with jitter, to another node behind the balancer); connections
     * open here stay until they leave or the node shuts down. {@code false} takes connections again.
     */
    public void drain(boolean on) {
        dispatcher.admitting(!on);
        LOG.log(Level.INFO, on ? "Draining: readiness DOWN, new handshakes refused with 503"
                : "Drain ended: taking connections again");
    }

    /** Whether the node is draining: for an operator ({@link #drain}) or for its shutdown. */
    public boolean draining() {
        return draining || !dispatcher.admitting();
    }

    /** One health check: its name as MicroProfile Health reports it, whether it is UP, and what it saw. */
    public record Check(String name, boolean up, Map<String, Object> data) {
    }

    /**
     * Liveness: the writers ran a probe task and the liveness sweep ran within the last
     * {@code max(10 s, 3 sweep intervals)}. DOWN means stuck threads: restart the node.
     */
    public List<Check> liveness() {
        long now = System.nanoTime();
        long bound = Math.max(TimeUnit.SECONDS.toNanos(10), 3 * Liveness.interval(settings).toNanos());
        long writers = now - metrics.writersRanNanos;
        long swept = now - metrics.sweptNanos;
        return List.of(
                new Check("switchboard-writers", writers < bound, Map.of("lastRanMsAgo", writers / 1_000_000)),
                new Check("switchboard-sweep", swept < bound, Map.of("lastRanMsAgo", swept / 1_000_000)));
    }

    /**
     * Readiness: the engine takes connections (not draining, for an operator or for shutdown); with a shared cluster,
     * its store answered the latest heartbeat (a node cut from Redis would serve rooms apart from the others).
     */
    public List<Check> readiness() {
        boolean drainingNow = draining();
        Check engine = new Check("switchboard-engine", !drainingNow,
                Map.of("draining", drainingNow, "connections", connections.size()));
        if (!cluster.shared()) {
            return List.of(engine);
        }
        return List.of(engine, new Check("switchboard-cluster", cluster.reachable(),
                Map.of("engine", "redis", "reachable", cluster.reachable(), "nodes", cluster.nodes(), "node", cluster.node())));
    }

    /** A room as the admin view shows it: members here and on other nodes, its position, its history on this node. */
    public record RoomView(String room, int connections, List<Member> members, String epoch, long offset,
                           int historyMessages, long historyBytes, String slowConsumer) {
    }

    /** Every room on this node, by name. */
    public List<RoomView> roomViews() {
        return rooms.names().stream().sorted().map(rooms::get).filter(java.util.Objects::nonNull).map(Room::view).toList();
    }

    public Optional<RoomView> roomView(String name) {
        return Optional.ofNullable(rooms.get(name)).map(Room::view);
    }

    /**
     * One connection as the admin view shows it, on the node that holds it. {@code state}: {@code ok}; {@code behind}
     * (its queue is at half its bound or more, or a send has been running for over a second: a slow consumer in the
     * making); {@code closing}.
     */
    public record ConnectionView(String node, String id, String user, String endpoint, long openSeconds, List<String> rooms,
                                 int queued, int queueLimit, long sent, long dropped, String state) {

        static ConnectionView fromJson(jakarta.json.JsonObject o) {
            return new ConnectionView(o.getString("node"), o.getString("id"), o.getString("user"), o.getString("endpoint"),
                    o.getJsonNumber("openSeconds").longValue(),
                    o.getJsonArray("rooms").getValuesAs(jakarta.json.JsonString.class).stream().map(jakarta.json.JsonString::getString).toList(),
                    o.getInt("queued"), o.getInt("queueLimit"), o.getJsonNumber("sent").longValue(),
                    o.getJsonNumber("dropped").longValue(), o.getString("state"));
        }
    }

    /**
     * A user's connections on every node (each node asked over the cluster, within half a second), how many each
     * live node holds, and the nodes that did not answer in time ({@code unanswered}; with Redis unreachable,
     * {@code clusterAnswered} is false and only this node's are listed).
     */
    public record UserView(String user, String node, List<ConnectionView> connections, Map<String, Integer> byNode,
                           List<String> unanswered, boolean clusterAnswered) {
    }

    /** How long the admin view waits for the other nodes' answers. */
    private static final Duration ASK_NODES = Duration.ofMillis(500);

    public UserView user(String user) {
        List<ConnectionView> all = new java.util.ArrayList<>(connectionsHere(user));
        Map<String, Integer> byNode = new java.util.TreeMap<>();
        List<String> unanswered = new java.util.ArrayList<>();
        boolean answered = true;
        if (cluster.shared()) {
            try {
                byNode.putAll(cluster.connectionsByNode(user));
                Map<String, String> answers = cluster.describeConnections(user, ASK_NODES);
                for (Map.Entry<String, String> answer : answers.entrySet()) {
                    Codec.json().createReader(new java.io.StringReader(answer.getValue())).readArray()
                            .getValuesAs(jakarta.json.JsonObject.class).forEach(o -> all.add(ConnectionView.fromJson(o)));
                }
                byNode.keySet().stream().filter(n -> !n.equals(cluster.node()) && !answers.containsKey(n)).forEach(unanswered::add);
            } catch (StoreUnavailable | RuntimeException e) {
                answered = false;
                LOG.log(Level.FINE, "The admin view of {0} lists this node only: {1}", new Object[] {user, e.toString()});
            }
        }
        List<ConnectionView> here = all.stream().filter(c -> c.node().equals(cluster.node())).toList();
        if (!here.isEmpty() || byNode.containsKey(cluster.node())) {
            byNode.put(cluster.node(), here.size()); // this node's own count is the one it holds now
        }
        all.sort(java.util.Comparator.comparing(ConnectionView::node).thenComparing(ConnectionView::id));
        return new UserView(user, cluster.node(), List.copyOf(all), byNode, List.copyOf(unanswered), answered);
    }

    /** {@code user}'s connections on this node. */
    private List<ConnectionView> connectionsHere(String user) {
        long now = System.nanoTime();
        return connections.all().stream().filter(c -> c.user().equals(user))
                .sorted(java.util.Comparator.comparing(Connection::id)).map(c -> view(c, now)).toList();
    }

    private ConnectionView view(Connection c, long now) {
        long sending = c.outbox.sendStartedNanos();
        String state = c.isClosing() ? "closing"
                : c.queued() * 2 >= settings.queueMessages() || (sending != 0 && now - sending > TimeUnit.SECONDS.toNanos(1))
                ? "behind" : "ok";
        return new ConnectionView(cluster.node(), c.id(), c.user(), c.endpoint(),
                TimeUnit.NANOSECONDS.toSeconds(now - c.openedNanos()), c.rooms.stream().sorted().toList(), c.queued(),
                settings.queueMessages(), c.outbox.sent(), c.outbox.dropped(), state);
    }

    /**
     * An operator removes {@code user} (null: every member — the room is closed) from {@code room}, on every node;
     * returns the connections removed on this one. The room's history stays; members may join again as the room
     * authorizer allows (to keep a user out, change what it allows, or end the user's sessions).
     */
    public int removeFromRoom(String room, String user) {
        if (!RoomNames.isValid(room)) {
            throw new IllegalArgumentException("'" + room + "' is not a room name: " + RoomNames.RULE);
        }
        if (cluster.shared()) {
            cluster.removeFromRoom(room, user);
        }
        return dispatcher.removeFromRoom(room, user);
    }

    /** This node's metrics in a registry of its own (not the JVM-wide default: one per deployment). */
    public io.prometheus.metrics.model.registry.PrometheusRegistry metricsRegistry() {
        return metricsRegistry;
    }

    private io.prometheus.metrics.model.registry.PrometheusRegistry metricsRegistry;

    /**
     * Undeploy or shutdown: what was accepted for delivery goes out first, within the drain timeout (with a cluster:
     * after what this node appended has come back to it); then every
     * connection is told 1001 (going away) so clients reconnect, to this node when it is back or to another one.
     */
    @PreDestroy
    void shutdown() {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        draining = true;
        long deadline = System.nanoTime() + settings.shutdownDrain().toNanos();
        // what this node acknowledged comes back through the cluster before it reaches members here: wait for it too
        while (System.nanoTime() < deadline && (publishing.sum() > 0 || !rooms.deliveredOwn()
                || connections.all().stream().anyMatch(c -> c.queued() > 0 && !c.isClosing()))) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
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

    // ------------------------------------------------------------------ for the engine's tests

    /** How {@code refresh} verifies credentials (the CDI constructor uses {@code Credentials}). */
    void verifyCredentialsWith(java.util.function.Function<String, Optional<Caller>> verifier) {
        dispatcher.verifyCredentialsWith(verifier);
    }

    /** Opens a connection as a transport would; {@code welcome} false skips {@code /ws}'s welcome frame. */
    Connection open(Transport transport, String user, String endpoint, boolean welcome) {
        Caller caller = user == null ? null : new Caller(user, Set.of(), false, null);
        if (welcome || !endpoint.equals("/ws")) {
            return dispatcher.open(transport, caller, endpoint, false);
        }
        Connection connection = connections.open(transport, caller, endpoint);
        if (connection != null) {
            events.accept(new SwitchboardEvent.ConnectionOpened(connection.id(), connection.user(), endpoint));
        }
        return connection;
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
