package dev.switchboard.cluster;

import dev.switchboard.protocol.Codec;
import io.lettuce.core.ScriptOutputType;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Several nodes as one room space, on Redis: node membership by heartbeats, cross-node presence and users, direct
 * messages and disconnects across nodes. Rooms' logs are in {@link RedisLogStore}, on the same {@link Redis} link.
 *
 * <p>Keys, under {@code prefix} (default {@code switchboard}), each script's keys under one hash tag (Redis Cluster):
 * {@code prefix:{room}:presence} hash ({@code node|user} → that user's connections in the room on that node);
 * {@code prefix:{user:<user>}} hash (node → that user's open connections there); the nodes' keys of
 * {@link NodeWithdrawal}. Channels: each room's, {@code prefix:{room}:events} ({@code P room epoch offset payload}
 * a publication, {@code R room epoch offset} a reset, {@code C room} presence changed), subscribed by the nodes that
 * have the room only; each node's, {@code prefix:{node:<node>}:events} (JSON: the direct messages and disconnects of
 * the users it holds, sent to the nodes of the user's hash only) — both sharded on Redis Cluster — and one broadcast
 * channel, {@code prefix:events}: operators' removals and questions.
 *
 * <p>Threads: events are handled on one inbox thread, in the order Redis published them; it never waits for Redis.
 * Heartbeats (blocking scripts) run on a heartbeat thread of their own: a slow Redis never holds up delivery.
 *
 * <p>Faults: commands fail fast while Redis is unreachable ({@link StoreUnavailable}); subscriptions are repaired
 * ({@link Subscriber#repair}); the heartbeat notices the way back, or subscriptions made again, and asks the hub to
 * {@link Listener#resynchronize}; calls that failed while Redis answered (slow, not gone) are {@link Listener#repair}ed
 * alone ({@link Unwritten}). A node whose heartbeat is older than {@code node-timeout} is dead: the first live node to
 * notice withdraws it ({@link NodeWithdrawal}), as a stopping node withdraws itself.
 */
public final class RedisCluster implements Cluster {

    private static final Logger LOG = Logger.getLogger(RedisCluster.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Redis redis;
    private final Redis.Config config;
    private final RoomSubscriptions subscriptions;
    private final RedisUsers users;
    private final Unwritten unwritten = new Unwritten();
    private final String node = "n" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);

    private volatile boolean reachable;
    private volatile Set<String> alive = Set.of();
    private volatile boolean stopped;
    /** Heartbeat thread only, from here on. */
    private boolean registered;
    private boolean waitingForSubscription;
    /** Until then (nanoTime) no node is taken for dead: after an outage, nobody could beat. */
    private long graceUntilNanos;
    private int resyncAgainIn;
    private int beatsFailed; // in a row, since the last that Redis answered
    private long unavailableBefore;
    private boolean subscriptionsRepaired;
    private Listener listener;
    private ExecutorService inbox;
    private ExecutorService heart;
    private ScheduledFuture<?> heartbeats;

    public RedisCluster(Redis redis) {
        this.redis = redis;
        this.config = redis.config();
        this.subscriptions = new RoomSubscriptions(redis);
        this.users = new RedisUsers(redis, node, () -> alive);
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public String node() {
        return node;
    }

    @Override
    public synchronized void start(Listener listener, ThreadFactory threads, ScheduledExecutorService scheduler) {
        this.listener = listener;
        this.inbox = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), threads);
        this.heart = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), threads);
        // the first beat before serving (bounded): a room made before Redis answered would start alone, and its
        // members be told to resynchronize once it does
        try {
            heart.submit(this::heartbeat).get(2 * config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.log(Level.INFO, "Node {0}: Redis not reached at start ({1}); serving locally until it is", new Object[] {node, e});
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long every = config.heartbeat().toMillis();
        heartbeats = scheduler.scheduleWithFixedDelay(() -> heart.execute(this::heartbeat), every, every, TimeUnit.MILLISECONDS);
    }

    private void receivedLater(String message) {
        try {
            inbox.execute(() -> ClusterInbox.received(message, node, listener,
                    question -> ClusterInbox.answer(redis, node, listener, question)));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.log(Level.FINE, "Stopping: an event not handled"); // Lettuce delivers while the node stops
        }
    }

    /** On the heartbeat thread (never the inbox): a heartbeat; notices outages, the way back, and dead nodes. */
    private void heartbeat() {
        if (stopped) {
            return;
        }
        boolean was = reachable;
        if (!redis.connect(this::receivedLater, node, subscriptions::rooms)) {
            reachable = false;
            return;
        }
        try {
            List<Object> result = redis.eval(true, RedisScript.HEARTBEAT, ScriptOutputType.MULTI,
                    new String[] {NodeWithdrawal.nodes(config.prefix()), NodeWithdrawal.lost(config.prefix())}, node,
                    Long.toString(config.nodeTimeout().toMillis()));
            boolean added = ((Long) result.get(0)) == 1L;
            @SuppressWarnings("unchecked") List<String> live = (List<String>) result.get(1);
            @SuppressWarnings("unchecked") List<String> dead = (List<String>) result.get(2);
            @SuppressWarnings("unchecked") List<String> lost = (List<String>) result.get(3); // taken: no other node has it
            lost.forEach(record -> LostNode.tell(record, listener));
            // before anything else: a master gone, a slot moved (events may have been missed: resynchronize below)
            subscriptionsRepaired |= redis.subscriber().repair();
            if (!redis.subscriber().subscribed()) {
                // commands are back, the subscription not yet (Lettuce reconnects each with its own delay): catch up later
                if (was || !waitingForSubscription) {
                    LOG.log(Level.INFO, "Node {0}: Redis answers; waiting for the subscription to be back", node);
                }
                waitingForSubscription = true;
                reachable = false;
                return;
            }
            reachable = true;
            beatsFailed = 0;
            waitingForSubscription = false;
            if (!was) {
                graceUntilNanos = System.nanoTime() + config.nodeTimeout().toNanos();
            }
            boolean grace = System.nanoTime() - graceUntilNanos < 0;
            for (String gone : grace ? List.<String>of() : dead) {
                LOG.log(Level.INFO, "Node {0} missed its heartbeats: withdrawing its members", gone);
                NodeWithdrawal.withdraw(redis, gone);
            }
            Set<String> now = new java.util.HashSet<>(live);
            if (grace) {
                now.addAll(dead); // they could not beat either while Redis was away
            }
            boolean changed = !now.equals(alive);
            alive = Set.copyOf(now);
            boolean resubscribed = subscriptionsRepaired;
            subscriptionsRepaired = false;
            long failed = redis.unavailable(); // a call failed since the last beat: a room may have gone on alone
            boolean missed = failed != unavailableBefore;
            unavailableBefore = failed;
            Unwritten.Taken notWritten = unwritten.take();
            if (missed || resubscribed) {
                redis.refreshSlots();
            }
            if (!was || (added && registered) || resubscribed) {
                // back after an outage, or Redis forgot us (restarted empty, or took us for dead): catch up,
                // and once more a little later, for what was published before the subscription was back
                LOG.log(Level.INFO, "Node {0}: Redis reachable{1}; resynchronizing rooms", new Object[] {node,
                        resubscribed ? ", subscriptions made again" : ""});
                listener.resynchronize();
                resyncAgainIn = 3;
            } else if (missed || !notWritten.isEmpty()) {
                // Redis answers and nothing was lost in transit: calls timed out (it, or this node, was slow). Only
                // what failed is repaired — a whole resynchronization would add its load to the load it comes from
                LOG.log(Level.FINE, "Node {0}: calls failed since the last beat; repairing", node);
                listener.repair(notWritten.presence(), notWritten.users());
            } else if (resyncAgainIn > 0 && --resyncAgainIn == 0) {
                listener.resynchronize();
            } else if (changed) {
                listener.nodesChanged();
            }
            registered = true;
        } catch (StoreUnavailable | RuntimeException e) {
            // one answer too late (not a refused connection): a node or Redis under a storm, not yet an outage
            if (was && e.getCause() instanceof io.lettuce.core.RedisCommandTimeoutException && ++beatsFailed < 2) {
                LOG.log(Level.INFO, "Redis heartbeat failed once ({0}); the next one decides", e.getMessage());
                return;
            }
            if (was) {
                LOG.log(Level.WARNING, "Redis heartbeat failed ({0}); delivering locally until it is back", e.getMessage());
            }
            reachable = false;
        }
    }

    @Override
    public void follow(String room) {
        subscriptions.follow(room);
    }

    @Override
    public void unfollow(String room) {
        subscriptions.unfollow(room);
    }

    @Override
    public void awaitFollowing(String room) throws StoreUnavailable {
        try {
            subscriptions.await(room);
        } catch (StoreUnavailable e) {
            redis.subscriptionUnconfirmed();
            throw e;
        }
    }

    @Override
    public boolean reachable() {
        return reachable;
    }

    @Override
    public int nodes() {
        return reachable ? alive.size() : 1;
    }

    @Override
    public long failures() {
        return redis.failures();
    }

    @Override
    public void presence(String room, String user, int connections) {
        if (reachable) { // else: rewritten by resynchronize
            Runnable again = () -> unwritten.presence(room, user); // the heartbeat has it written again
            if (connections > 0) { // first: a node that dies in between leaves nothing it would not withdraw
                String rooms = NodeWithdrawal.rooms(config.prefix(), node);
                redis.async("rooms of a node", again, rooms, c -> c.sadd(rooms, room));
            }
            redis.evalAsync("presence in " + room, again, RedisScript.PRESENCE, ScriptOutputType.INTEGER,
                    new String[] {config.prefix() + ":{" + room + "}:presence"}, node + "|" + user,
                    Integer.toString(connections), redis.roomChannel(room), room, redis.publishCommand());
        }
    }

    @Override
    public Map<String, Integer> remotePresence(String room) throws StoreUnavailable {
        String presence = config.prefix() + ":{" + room + "}:presence";
        Map<String, String> fields = redis.call(presence, c -> c.hgetall(presence));
        Set<String> live = alive;
        Map<String, Integer> users = new HashMap<>();
        fields.forEach((field, count) -> {
            int bar = field.indexOf('|');
            String owner = field.substring(0, bar);
            if (!owner.equals(node) && live.contains(owner)) {
                users.merge(field.substring(bar + 1), Integer.parseInt(count), Integer::sum);
            }
        });
        return users;
    }

    @Override
    public void userConnections(String user, int connections) {
        if (reachable) { // else: rewritten by resynchronize
            users.connections(user, connections, () -> unwritten.user(user));
        }
    }

    @Override
    public int remoteConnections(String user) throws StoreUnavailable {
        return users.elsewhere(user).values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public void direct(String user, String frame) {
        if (reachable) {
            users.direct(user, frame);
        }
    }

    @Override
    public int directElsewhere(String user, String frame) throws StoreUnavailable {
        return users.directElsewhere(user, frame);
    }

    @Override
    public void disconnect(String user, int code, String reason) {
        if (reachable) {
            users.disconnect(user, code, reason);
        }
    }

    @Override
    public void removeFromRoom(String room, String user) {
        if (reachable) {
            var event = Codec.json().createObjectBuilder().add("kind", "remove").add("node", node).add("room", room);
            redis.publishAsync("remove from room", (user == null ? event.addNull("user") : event.add("user", user))
                    .build().toString());
        }
    }

    @Override
    public Map<String, String> askEveryNode(String question, String argument, java.time.Duration wait) throws StoreUnavailable {
        Set<String> others = new java.util.HashSet<>(alive);
        others.remove(node);
        if (!reachable) {
            throw new StoreUnavailable("Redis unreachable: other nodes cannot be asked", null);
        }
        if (others.isEmpty()) {
            return Map.of();
        }
        return ClusterInbox.ask(redis, node, others, question, argument, wait);
    }

    @Override
    public Map<String, Integer> connectionsByNode(String user) throws StoreUnavailable {
        return users.connectionsByNode(user);
    }

    @Override
    public synchronized void stop() {
        stopped = true;
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        try {
            if (redis.connected() && reachable) {
                NodeWithdrawal.withdraw(redis, node);
            }
        } catch (StoreUnavailable e) {
            LOG.log(Level.INFO, "Could not withdraw node {0} from Redis ({1}); other nodes will once its heartbeat is old",
                    new Object[] {node, e.getMessage()});
        }
        if (inbox != null) {
            inbox.shutdownNow();
            heart.shutdownNow();
        }
        redis.shutdown();
    }
}
