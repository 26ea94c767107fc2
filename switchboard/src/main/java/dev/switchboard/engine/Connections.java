package dev.switchboard.engine;

import dev.switchboard.cluster.Cluster;
import dev.switchboard.config.Settings;
import dev.switchboard.security.Caller;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The open connections of this node, by id and by user: ids and guest names, the per-user limit, and direct
 * delivery to a user's connections. With a shared cluster, each user's count on this node is registered for the
 * others (best effort).
 */
final class Connections {

    private static final Logger LOG = Logger.getLogger(Connections.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    /** 32 characters (5 bits each: {@link #name}), none mistaken for another (no l, o, 0, 1). */
    private static final char[] NAME_CHARS = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private final Map<String, Connection> byId = new ConcurrentHashMap<>();
    /**
     * Each user's connections here, as an array replaced on every change (under the map's per-key lock): a user has a
     * few at most, and most have one — a set per user cost about 200 bytes per connection (docs/benchmark/connections.md).
     */
    private final Map<String, Connection[]> byUser = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Settings settings;
    private final Executor writers;
    private final Telemetry telemetry;
    /** What the closed connections had sent and dropped, counted at their close. */
    private final java.util.concurrent.atomic.LongAdder sentByClosed = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder droppedByClosed = new java.util.concurrent.atomic.LongAdder();
    private final Cluster cluster;
    private final QueueBudget queueBudget;

    /** Where closes of connections with a send not completed go (WriterPool.closer). */
    private final Executor closer;

    Connections(Settings settings, Executor writers, Telemetry telemetry, Cluster cluster, Executor closer) {
        this.settings = settings;
        this.closer = closer;
        this.writers = writers;
        this.telemetry = telemetry;
        this.cluster = cluster;
        this.queueBudget = new QueueBudget(settings.limits().queueNodeMaxBytes());
    }

    /** The node's bound on queued frames, shared by every connection's queue. */
    QueueBudget queueBudget() {
        return queueBudget;
    }

    /**
     * Registers a new connection for {@code caller} ({@code null}: a guest with a generated name, speaking
     * {@code language}). Null when the user
     * already has as many connections as allowed.
     */
    Connection open(Transport transport, Caller caller, String endpoint, java.util.Locale language) {
        long random = RANDOM.nextLong(); // one draw for both names: a SecureRandom call per character cost
        String id = Long.toString(ids.incrementAndGet(), 36) + "-" + name(random, 4);
        Caller who = caller != null ? caller : new Caller("guest-" + name(random >>> 20, 6), Set.of(), true, null, language);
        Settings.Limits limits = settings.limits();
        Connection[] made = new Connection[1];
        Outbox outbox = new Outbox(transport, writers, settings.queueMessages(), settings.queueBytes(), queueBudget,
                telemetry, () -> slowConsumer(made[0]), closer);
        Connection connection = new Connection(id, who, endpoint, outbox,
                new RateLimiter(limits.ratePerSecond(), limits.rateBurst(), limits.rateStrikes(), System.nanoTime()));
        made[0] = connection;
        boolean[] admitted = {true};
        byUser.compute(who.name(), (u, mine) -> {
            int n = mine == null ? 0 : mine.length;
            if (limits.connectionsPerUser() > 0 && n >= limits.connectionsPerUser()) {
                admitted[0] = false;
                return mine;
            }
            Connection[] more = mine == null ? new Connection[1] : java.util.Arrays.copyOf(mine, n + 1);
            more[n] = connection;
            return more;
        });
        if (!admitted[0]) {
            return null;
        }
        byId.put(id, connection);
        queueBudget.opened();
        userCountChanged(who.name());
        return connection;
    }

    /** Forgets {@code connection}; false when it was already forgotten. */
    boolean remove(Connection connection) {
        if (byId.remove(connection.id()) == null) {
            return false;
        }
        queueBudget.closed();
        sentByClosed.add(connection.outbox.sends().sent());
        droppedByClosed.add(connection.outbox.dropped());
        byUser.computeIfPresent(connection.user(), (u, mine) -> {
            Connection[] fewer = new Connection[mine.length];
            int n = 0;
            for (Connection c : mine) {
                if (c != connection) {
                    fewer[n++] = c;
                }
            }
            return n == 0 ? null : n == mine.length ? mine : java.util.Arrays.copyOf(fewer, n);
        });
        userCountChanged(connection.user());
        return true;
    }

    Connection get(String id) {
        return id == null ? null : byId.get(id);
    }

    int size() {
        return byId.size();
    }

    Collection<Connection> all() {
        return byId.values();
    }

    /**
     * What the open connections hold now, in one walk: how many of each kind, messages queued (in all, on the deepest
     * queue), and sent and dropped since start (the closed ones' counted at their close).
     */
    record Totals(Map<Connection.Kind, Integer> byKind, long queued, int deepest, long sent, long dropped) {
    }

    Totals totals() {
        Map<Connection.Kind, Integer> byKind = new java.util.EnumMap<>(Connection.Kind.class);
        for (Connection.Kind kind : Connection.Kind.values()) {
            byKind.put(kind, 0);
        }
        long queued = 0;
        long sent = sentByClosed.sum();
        long dropped = droppedByClosed.sum();
        int deepest = 0;
        for (Connection c : byId.values()) {
            int depth = c.queued();
            queued += depth;
            deepest = Math.max(deepest, depth);
            sent += c.outbox.sends().sent();
            dropped += c.outbox.dropped();
            byKind.merge(c.kind(), 1, Integer::sum);
        }
        return new Totals(byKind, queued, deepest, sent, dropped);
    }

    /** Queues an encoded {@code direct} frame on every connection of {@code user} here; how many took it. */
    int deliverDirect(String user, String frame) {
        Connection[] targets = byUser.get(user);
        if (targets == null) {
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

    /** Closes every connection of {@code user} here (after what is queued); how many. */
    int disconnect(String user, int code, String reason) {
        Connection[] targets = byUser.get(user);
        if (targets == null) {
            return 0;
        }
        List<Connection> mine = List.of(targets);
        mine.forEach(c -> c.close(code, reason));
        return mine.size();
    }

    /** Every user here with their connection count (registering them again with the cluster). */
    void forEachUser(BiConsumer<String, Integer> action) {
        byUser.forEach((user, mine) -> action.accept(user, mine.length));
    }

    /** {@code user}'s open connections on this node. */
    int count(String user) {
        Connection[] mine = byUser.get(user);
        return mine == null ? 0 : mine.length;
    }

    private void userCountChanged(String user) {
        if (cluster.shared()) {
            cluster.userConnections(user, count(user));
        }
    }

    private void slowConsumer(Connection connection) {
        telemetry.slowConsumerClosed();
        LOG.log(Level.INFO, "Closing {0} with 4008: its outbound queue overflowed or a send failed", connection);
    }

    /** {@code length} characters of {@link #NAME_CHARS} (32 of them: 5 bits each) from the low bits of {@code bits}. */
    private static String name(long bits, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = NAME_CHARS[(int) (bits >>> (5 * i)) & 31];
        }
        return new String(chars);
    }
}
