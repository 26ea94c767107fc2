package dev.switchboard.engine;

import dev.switchboard.CloseCodes;
import dev.switchboard.cluster.Cluster;
import dev.switchboard.cluster.StoreUnavailable;
import dev.switchboard.config.Settings;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.RoomNames;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The operator's side of one node: its state as one snapshot ({@link NodeState}), its views and actions
 * ({@link NodeAdmin}), and the answers it gives other nodes' operators ({@link #answer}). Reads the engine's parts,
 * owns none of them.
 */
final class Administration implements NodeAdmin, NodeState {

    private static final Logger LOG = Logger.getLogger(Administration.class.getName());
    /** How long the admin view waits for the other nodes' answers. */
    private static final Duration ASK_NODES = Duration.ofMillis(500);
    /** The question another node's operator asks: a user's connections here. */
    static final String CONNECTIONS = "connections";

    private final Settings settings;
    private final Connections connections;
    private final Rooms rooms;
    private final Dispatcher dispatcher;
    private final Cluster cluster;
    private final HistoryBudget history;
    private final BooleanSupplier shuttingDown;

    Administration(Settings settings, Connections connections, Rooms rooms, Dispatcher dispatcher, Cluster cluster,
                   HistoryBudget history, BooleanSupplier shuttingDown) {
        this.settings = settings;
        this.connections = connections;
        this.rooms = rooms;
        this.dispatcher = dispatcher;
        this.cluster = cluster;
        this.history = history;
        this.shuttingDown = shuttingDown;
    }

    // ------------------------------------------------------------------ NodeState

    @Override
    public Snapshot snapshot() {
        Connections.Totals now = connections.totals();
        Map<String, Integer> byEndpoint = new TreeMap<>();
        now.byKind().forEach((kind, n) -> byEndpoint.put(
                kind == Connection.Kind.SOCKET ? "ws" : kind.name().toLowerCase(Locale.ROOT), n));
        QueueBudget budget = connections.queueBudget();
        return new Snapshot(Map.copyOf(byEndpoint), connections.size(), rooms.names().size(), now.queued(), now.deepest(),
                settings.queueMessages(), now.sent(), now.dropped(), budget.usedSize(), budget.maxSize(),
                budget.refusals(), history.usedBytes(), history.maxBytes(), history.evictedCount(),
                cluster.shared() ? "redis" : "memory", cluster.reachable(), cluster.nodes(), cluster.node(),
                cluster.failures(), draining());
    }

    // ------------------------------------------------------------------ NodeAdmin

    @Override
    public String node() {
        return cluster.node();
    }

    @Override
    public void drain(boolean on) {
        dispatcher.admitting(!on);
        LOG.log(Level.INFO, on ? "Draining: readiness DOWN, new handshakes refused with 503"
                : "Drain ended: taking connections again");
    }

    @Override
    public boolean draining() {
        return shuttingDown.getAsBoolean() || !dispatcher.admitting();
    }

    @Override
    public List<RoomView> roomViews() {
        return rooms.names().stream().sorted().map(rooms::get).filter(Objects::nonNull).map(Room::view).toList();
    }

    @Override
    public Optional<RoomView> roomView(String name) {
        return Optional.ofNullable(rooms.get(name)).map(Room::view);
    }

    @Override
    public UserView user(String user) {
        List<ConnectionView> all = new ArrayList<>(connectionsHere(user));
        Map<String, Integer> byNode = new TreeMap<>();
        List<String> unanswered = new ArrayList<>();
        boolean answered = true;
        if (cluster.shared()) {
            try {
                byNode.putAll(cluster.connectionsByNode(user));
                Map<String, String> answers = cluster.askEveryNode(CONNECTIONS, user, ASK_NODES);
                for (String answer : answers.values()) {
                    Codec.json().createReader(new StringReader(answer)).readArray()
                            .getValuesAs(JsonObject.class).forEach(o -> all.add(ConnectionView.fromJson(o)));
                }
                byNode.keySet().stream().filter(n -> !n.equals(cluster.node()) && !answers.containsKey(n))
                        .forEach(unanswered::add);
            } catch (StoreUnavailable | RuntimeException e) {
                answered = false;
                LOG.log(Level.FINE, "The admin view of {0} lists this node only: {1}", new Object[] {user, e.toString()});
            }
        }
        List<ConnectionView> here = all.stream().filter(c -> c.node().equals(cluster.node())).toList();
        if (!here.isEmpty() || byNode.containsKey(cluster.node())) {
            byNode.put(cluster.node(), here.size()); // this node's own count is the one it holds now
        }
        all.sort(Comparator.comparing(ConnectionView::node).thenComparing(ConnectionView::id));
        return new UserView(user, cluster.node(), List.copyOf(all), byNode, List.copyOf(unanswered), answered);
    }

    @Override
    public int removeFromRoom(String room, String user) {
        if (!RoomNames.isValid(room)) {
            throw new IllegalArgumentException("'" + room + "' is not a room name: " + RoomNames.RULE);
        }
        if (cluster.shared()) {
            cluster.removeFromRoom(room, user);
        }
        return dispatcher.removeFromRoom(room, user);
    }

    @Override
    public int reconnectAll() {
        int asked = 0;
        for (Connection c : List.copyOf(connections.all())) { // those open now: not the ones coming back meanwhile
            if (!c.isClosing()) {
                c.close(CloseCodes.SERVICE_RESTART, "the operator restarts this node's connections: reconnect");
                asked++;
            }
        }
        LOG.log(Level.INFO, "Reconnect: {0} connection(s) closed with 1012", asked);
        return asked;
    }

    // ------------------------------------------------------------------ other nodes' questions

    /** Another node's question (Cluster.askEveryNode), answered from memory: a user's connections here, as JSON. */
    String answer(String question, String argument) {
        return CONNECTIONS.equals(question) ? Codec.jsonb().toJson(connectionsHere(argument)) : null;
    }

    /** {@code user}'s connections on this node. */
    private List<ConnectionView> connectionsHere(String user) {
        long now = System.nanoTime();
        return connections.all().stream().filter(c -> c.user().equals(user))
                .sorted(Comparator.comparing(Connection::id)).map(c -> view(c, now)).toList();
    }

    private ConnectionView view(Connection c, long now) {
        long sending = c.outbox.sends().startedNanos();
        String state = c.isClosing() ? "closing"
                : c.queued() * 2 >= settings.queueMessages() || (sending != 0 && now - sending > TimeUnit.SECONDS.toNanos(1))
                ? "behind" : "ok";
        return new ConnectionView(cluster.node(), c.id(), c.user(), c.endpoint(),
                TimeUnit.NANOSECONDS.toSeconds(now - c.openedNanos()), c.rooms().stream().sorted().toList(), c.queued(),
                settings.queueMessages(), c.outbox.sends().sent(), c.outbox.dropped(), state);
    }
}
