package dev.switchboard.engine;

import dev.switchboard.cluster.Cluster;
import dev.switchboard.cluster.LogStore;
import dev.switchboard.cluster.MemoryLogStore;
import dev.switchboard.cluster.StoreUnavailable;
import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Several engines in one process sharing rooms through an in-process bus: a {@link MemoryLogStore} for rooms' logs and
 * an in-memory {@link Cluster} per node for presence, users, direct messages and disconnects. Each node hears the
 * bus on its own delivery thread, in order, as a node hears Redis. Faults on demand: deliveries to a node dropped
 * (a subscription that missed events), the store stalled (a hung Redis) or unreachable. Every store call is checked:
 * never under a room's lock, never on a delivery thread ({@link #violations}).
 */
final class MemoryBus implements AutoCloseable {

    private static final String INBOX = "bus-inbox-";

    /** A node: its engine, its view of the cluster, and its delivery thread. */
    private record Node(String name, Hub hub, NodeCluster cluster, ExecutorService inbox) {
    }

    private final MemoryLogStore log = new MemoryLogStore();
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    /** room → node|user → connections. */
    private final Map<String, Map<String, Integer>> presence = new ConcurrentHashMap<>();
    /** user → node → connections. */
    private final Map<String, Map<String, Integer>> users = new ConcurrentHashMap<>();
    /** Store calls made where they must not be: under a room's lock, or on a delivery thread. */
    final List<String> violations = new CopyOnWriteArrayList<>();
    /** Deliveries to drop: the predicate sees "node room offset". */
    volatile Predicate<String> lose = d -> false;
    /** While set, store calls wait for it (a hung store). */
    volatile CountDownLatch stall;
    /** Store calls waiting on {@link #stall} now. */
    final AtomicInteger stalled = new AtomicInteger();
    volatile boolean unreachable;
    /** Store calls still to fail while the store answers the heartbeat (a slow store: they time out). */
    final AtomicInteger slowCalls = new AtomicInteger();
    /** Publications each node was handed by the bus (only rooms it follows, as with Redis). */
    final Map<String, AtomicInteger> inbound = new ConcurrentHashMap<>();
    private final EngineFixture executors;

    MemoryBus(EngineFixture executors) {
        this.executors = executors;
    }

    /** A new node with {@code settings}. */
    Hub node(String name, Settings settings) {
        return node(name, settings, Tracing.OFF);
    }

    /** A new node with {@code settings}, tracing with {@code tracing}. */
    Hub node(String name, Settings settings, Tracing tracing) {
        return node(name, settings, tracing, Telemetry.NONE);
    }

    /** A new node with {@code settings}, tracing with {@code tracing}, telling {@code telemetry} what happens. */
    Hub node(String name, Settings settings, Tracing tracing, Telemetry telemetry) {
        ThreadFactory named = r -> new Thread(r, INBOX + name);
        ExecutorService inbox = Executors.newSingleThreadExecutor(named);
        NodeCluster cluster = new NodeCluster(name);
        Hub hub = new Hub(settings, executors.writers, executors.timers, executors.background, e -> { }, List.of(),
                (caller, action, room) -> true, cluster, new CheckedStore(), tracing, executors.background, telemetry);
        Cluster.Listener listener = hub.listener(executors.timers, executors.background);
        cluster.listener = listener;
        nodes.add(new Node(name, hub, cluster, inbox));
        log.subscribe(new dev.switchboard.cluster.QuietListener() {
            @Override
            public void publication(String room, String epoch, long offset, String payload) {
                if (cluster.follows(room) && !lose.test(name + " " + room + " " + offset)) {
                    inbound.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
                    listener.publication(room, epoch, offset, payload);
                }
            }

            @Override
            public void reset(String room, String epoch, long offset) {
                if (cluster.follows(room)) {
                    listener.reset(room, epoch, offset);
                }
            }
        }, inbox);
        return hub;
    }

    /** The shared log itself, for faults such as a reset by a node that published alone. */
    MemoryLogStore log() {
        return log;
    }

    /** The store is back after an outage: every node resynchronizes, as the Redis heartbeat makes them. */
    void reachableAgain() {
        unreachable = false;
        nodes.forEach(n -> n.cluster().listener.resynchronize());
    }

    /** Calls failed but the store answers the heartbeat (slow, not gone): every node repairs only what failed. */
    void answersAgain() {
        unreachable = false;
        nodes.forEach(n -> n.cluster().listener.repair(java.util.Map.of(), java.util.Set.of()));
    }

    @Override
    public void close() {
        CountDownLatch s = stall;
        if (s != null) {
            s.countDown();
        }
        nodes.forEach(n -> n.inbox().shutdownNow());
    }

    /** Checks the caller, then waits while the store is stalled, and fails while it is unreachable. */
    private void enter(String what, String room) throws StoreUnavailable {
        String thread = Thread.currentThread().getName();
        if (thread.startsWith(INBOX)) {
            violations.add(what + " of " + room + " on the delivery thread " + thread);
        }
        for (Node n : nodes) {
            Room r = room == null ? null : n.hub().room(room);
            if (r != null && r.isLockedByCurrentThread()) {
                violations.add(what + " of " + room + " under the room's lock on " + n.name());
            }
        }
        CountDownLatch s = stall;
        if (s != null) {
            stalled.incrementAndGet();
            try {
                if (!s.await(30, TimeUnit.SECONDS)) {
                    throw new StoreUnavailable("stalled for 30 s", null);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreUnavailable("interrupted", e);
            } finally {
                stalled.decrementAndGet();
            }
        }
        if (unreachable || slowCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new StoreUnavailable(unreachable ? "the bus is unreachable" : "the call timed out", null);
        }
    }

    /** The log store as each node sees it: the shared one, with every call checked. */
    private final class CheckedStore implements LogStore {
        @Override
        public Position append(String room, RoomPolicy policy, String payload) throws StoreUnavailable {
            enter("append", room);
            return log.append(room, policy, payload);
        }

        @Override
        public Appended appendOnce(String room, RoomPolicy policy, String payload, String key, long windowMillis)
                throws StoreUnavailable {
            enter("append", room);
            return log.appendOnce(room, policy, payload, key, windowMillis);
        }

        @Override
        public Position position(String room) throws StoreUnavailable {
            enter("position", room);
            return log.position(room);
        }

        @Override
        public Optional<List<Entry>> range(String room, RoomPolicy policy, long after, long upTo) throws StoreUnavailable {
            enter("range", room);
            return log.range(room, policy, after, upTo);
        }

        @Override
        public List<Entry> page(String room, long after, long upTo, int limit, boolean newestFirst) throws StoreUnavailable {
            enter("page", room);
            return log.page(room, after, upTo, limit, newestFirst);
        }

        @Override
        public Position reset(String room) throws StoreUnavailable {
            enter("reset", room);
            return log.reset(room);
        }
    }

    /** One node's view of the bus: presence and users in shared maps, direct messages and disconnects to the others. */
    private final class NodeCluster implements Cluster {
        private final String name;
        volatile Listener listener;

        /** Rooms this node follows: how many of its rooms by that name. */
        private final Map<String, Integer> followed = new ConcurrentHashMap<>();

        NodeCluster(String name) {
            this.name = name;
        }

        boolean follows(String room) {
            return followed.containsKey(room);
        }

        @Override
        public void follow(String room) {
            followed.merge(room, 1, Integer::sum);
        }

        @Override
        public void unfollow(String room) {
            followed.computeIfPresent(room, (r, n) -> n > 1 ? n - 1 : null);
        }

        @Override
        public void awaitFollowing(String room) throws StoreUnavailable {
            enter("await following", room); // blocking: never under a room's lock nor on a delivery thread
        }

        @Override
        public boolean shared() {
            return true;
        }

        @Override
        public String node() {
            return name;
        }

        @Override
        public void start(Listener l, ThreadFactory threads, ScheduledExecutorService scheduler) {
            this.listener = l;
        }

        @Override
        public boolean reachable() {
            return !unreachable;
        }

        @Override
        public int nodes() {
            return nodes.size();
        }

        @Override
        public long failures() {
            return 0;
        }

        @Override
        public void presence(String room, String user, int connections) {
            Map<String, Integer> here = presence.computeIfAbsent(room, r -> new ConcurrentHashMap<>());
            if (connections > 0) {
                here.put(name + "|" + user, connections);
            } else {
                here.remove(name + "|" + user);
            }
            for (Node n : nodes) { // every node that follows the room is told, on its delivery thread
                if (n.cluster().follows(room)) {
                    n.inbox().execute(() -> n.cluster().listener.presenceChanged(room));
                }
            }
        }

        @Override
        public Map<String, Integer> remotePresence(String room) throws StoreUnavailable {
            enter("remote presence", room);
            Map<String, Integer> others = new HashMap<>();
            presence.getOrDefault(room, Map.of()).forEach((field, count) -> {
                if (!field.startsWith(name + "|")) {
                    others.merge(field.substring(field.indexOf('|') + 1), count, Integer::sum);
                }
            });
            return others;
        }

        @Override
        public void userConnections(String user, int connections) {
            users.computeIfAbsent(user, u -> new ConcurrentHashMap<>()).put(name, connections);
        }

        @Override
        public int remoteConnections(String user) throws StoreUnavailable {
            enter("remote connections", null);
            int count = 0;
            for (Map.Entry<String, Integer> e : users.getOrDefault(user, Map.of()).entrySet()) {
                if (!e.getKey().equals(name)) {
                    count += e.getValue();
                }
            }
            return count;
        }

        @Override
        public void direct(String user, String frame) {
            for (Node n : nodes) {
                if (!n.name().equals(name)) {
                    n.inbox().execute(() -> n.cluster().listener.direct(user, frame));
                }
            }
        }

        @Override
        public void disconnect(String user, int code, String reason) {
            for (Node n : nodes) {
                if (!n.name().equals(name)) {
                    n.inbox().execute(() -> n.cluster().listener.disconnect(user, code, reason));
                }
            }
        }

        @Override
        public void removeFromRoom(String room, String user) {
            for (Node n : nodes) {
                if (!n.name().equals(name)) {
                    n.inbox().execute(() -> n.cluster().listener.removeFromRoom(room, user));
                }
            }
        }

        @Override
        public Map<String, String> askEveryNode(String question, String argument, java.time.Duration wait)
                throws StoreUnavailable {
            enter("ask every node", null);
            Map<String, String> answers = new java.util.TreeMap<>();
            for (Node n : nodes) {
                if (!n.name().equals(name)) {
                    String answer = n.cluster().listener.answer(question, argument);
                    if (answer != null) {
                        answers.put(n.name(), answer);
                    }
                }
            }
            return answers;
        }

        @Override
        public Map<String, Integer> connectionsByNode(String user) throws StoreUnavailable {
            enter("connections by node", null);
            return new java.util.TreeMap<>(users.getOrDefault(user, Map.of()));
        }

        @Override
        public void stop() {
            // nothing to leave
        }
    }
}
