package dev.switchboard.engine;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * Several nodes as one room space, on Redis (Lettuce client).
 *
 * <p>Keys, under {@code prefix} (default {@code switchboard}); a room's keys share a hash tag:
 * <ul>
 *   <li>{@code prefix:{room}:meta} hash: {@code epoch}, {@code offset} (the latest publication);</li>
 *   <li>{@code prefix:{room}:log} stream: one entry per publication, id {@code <offset>-1}, field {@code p} = payload,
 *       trimmed to the room's history size; expires after the history's age when nothing is published;</li>
 *   <li>{@code prefix:{room}:presence} hash: {@code node|user} → connections of that user in the room on that node;</li>
 *   <li>{@code prefix:user:<user>} hash: node → open connections of that user on that node;</li>
 *   <li>{@code prefix:nodes} sorted set: node → time of its latest heartbeat (Redis' clock);
 *       {@code prefix:node:<node>:rooms} and {@code :users} sets: what to withdraw when the node dies.</li>
 * </ul>
 * Every node subscribes to one channel, {@code prefix:events}: {@code P room epoch offset payload} (a publication),
 * {@code R room epoch offset} (a reset), {@code C room} (presence changed), and JSON objects for direct messages and
 * disconnects. Appending, resetting and heartbeats are Lua scripts, so offsets are assigned atomically by Redis and
 * published in offset order.
 *
 * <p>Faults: commands fail fast while Redis is unreachable ({@link Unavailable}); Lettuce reconnects with jittered
 * backoff and resubscribes; the heartbeat notices the way back and asks the hub to {@link Node#resynchronize}.
 * A node whose heartbeat is older than {@code node-timeout} is dead: the first live node to notice withdraws its
 * members from presence. Uses scripts on keys they do not declare: a single Redis (or a primary with replicas /
 * Sentinel), not Redis Cluster.
 */
public final class RedisCluster implements Cluster {

    private static final Logger LOG = Logger.getLogger(RedisCluster.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Settings of the Redis engine (see the README). */
    public record Config(String url, String prefix, Duration timeout, Duration heartbeat, Duration nodeTimeout,
                         Duration metaTtl) {
    }

    // KEYS: meta, log. ARGV: new epoch, max length, payload, meta ttl s, log ttl s, channel, room
    private static final String APPEND = """
            local epoch = redis.call('HGET', KEYS[1], 'epoch')
            if not epoch then
              epoch = ARGV[1]
              redis.call('DEL', KEYS[2])
              redis.call('HSET', KEYS[1], 'epoch', epoch, 'offset', 0)
            end
            local offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)
            if tonumber(ARGV[2]) > 0 then
              redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], offset .. '-1', 'p', ARGV[3])
              redis.call('EXPIRE', KEYS[2], ARGV[5])
            end
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            redis.call('PUBLISH', ARGV[6], 'P ' .. ARGV[7] .. ' ' .. epoch .. ' ' .. offset .. ' ' .. ARGV[3])
            return {epoch, offset}
            """;

    // KEYS: meta, log. ARGV: new epoch, meta ttl s
    private static final String POSITION = """
            local epoch = redis.call('HGET', KEYS[1], 'epoch')
            if not epoch then
              epoch = ARGV[1]
              redis.call('DEL', KEYS[2])
              redis.call('HSET', KEYS[1], 'epoch', epoch, 'offset', 0)
              redis.call('EXPIRE', KEYS[1], ARGV[2])
            end
            return {epoch, tonumber(redis.call('HGET', KEYS[1], 'offset'))}
            """;

    // KEYS: meta, log. ARGV: new epoch, meta ttl s, channel, room
    private static final String RESET = """
            local offset = tonumber(redis.call('HGET', KEYS[1], 'offset') or '0')
            redis.call('DEL', KEYS[2])
            redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'offset', offset)
            redis.call('EXPIRE', KEYS[1], ARGV[2])
            redis.call('PUBLISH', ARGV[3], 'R ' .. ARGV[4] .. ' ' .. ARGV[1] .. ' ' .. offset)
            return {ARGV[1], offset}
            """;

    // KEYS: presence, node rooms. ARGV: field, count, channel, room
    private static final String PRESENCE = """
            if tonumber(ARGV[2]) > 0 then
              redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
              redis.call('SADD', KEYS[2], ARGV[4])
            else
              redis.call('HDEL', KEYS[1], ARGV[1])
            end
            redis.call('PUBLISH', ARGV[3], 'C ' .. ARGV[4])
            return 1
            """;

    // KEYS: user, node users. ARGV: node, count, user
    private static final String USER = """
            if tonumber(ARGV[2]) > 0 then
              redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
              redis.call('SADD', KEYS[2], ARGV[3])
            else
              redis.call('HDEL', KEYS[1], ARGV[1])
            end
            return 1
            """;

    // KEYS: nodes. ARGV: node, timeout ms. Redis' clock, so nodes need not agree on time.
    private static final String HEARTBEAT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local added = redis.call('ZADD', KEYS[1], now, ARGV[1])
            local alive = redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[2]), '+inf')
            local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[2])))
            return {added, alive, dead}
            """;

    // ARGV: prefix, node, channel. Withdraws a (dead or leaving) node's members and users; keys built here.
    private static final String WITHDRAW = """
            local p, node = ARGV[1], ARGV[2]
            local mine = node .. '|'
            local rooms = redis.call('SMEMBERS', p .. ':node:' .. node .. ':rooms')
            for _, room in ipairs(rooms) do
              local key = p .. ':{' .. room .. '}:presence'
              for _, f in ipairs(redis.call('HKEYS', key)) do
                if string.sub(f, 1, #mine) == mine then redis.call('HDEL', key, f) end
              end
              redis.call('PUBLISH', ARGV[3], 'C ' .. room)
            end
            for _, u in ipairs(redis.call('SMEMBERS', p .. ':node:' .. node .. ':users')) do
              redis.call('HDEL', p .. ':user:' .. u, node)
            end
            redis.call('DEL', p .. ':node:' .. node .. ':rooms', p .. ':node:' .. node .. ':users')
            redis.call('ZREM', p .. ':nodes', node)
            return #rooms
            """;

    private final Config config;
    private final String node = "n" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    private final String channel;
    private final ClientResources resources;
    private final RedisClient client;

    private volatile StatefulRedisConnection<String, String> connection;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile boolean reachable;
    private volatile Set<String> alive = Set.of();
    private volatile boolean stopped;
    private boolean registered;
    private boolean waitingForSubscription;
    /** Until then (nanoTime) no node is taken for dead: after an outage, nobody could beat (inbox thread only). */
    private long graceUntilNanos;
    private int resyncAgainIn;
    private Node hub;
    private ExecutorService inbox;
    private ScheduledFuture<?> heartbeats;

    public RedisCluster(Config config) {
        this.config = config;
        this.channel = config.prefix() + ":events";
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(1)
                .reconnectDelay(Delay.fullJitter(Duration.ofMillis(100), Duration.ofSeconds(5), 100, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, RedisURI.create(config.url()));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // fail fast while disconnected: the caller carries on locally instead of waiting
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(config.timeout()).build())
                .build());
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
    public synchronized void start(Node node, ThreadFactory threads, ScheduledExecutorService scheduler) {
        this.hub = node;
        this.inbox = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), threads);
        long every = config.heartbeat().toMillis();
        heartbeats = scheduler.scheduleWithFixedDelay(() -> inbox.execute(this::heartbeat), 0, every, TimeUnit.MILLISECONDS);
    }

    /** Connects (or connects again after failing to at start); Lettuce reconnects on its own after that. */
    private boolean connect() {
        if (connection != null) {
            return true;
        }
        try {
            StatefulRedisPubSubConnection<String, String> events = client.connectPubSub();
            events.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    inbox.execute(() -> received(message));
                }
            });
            events.sync().subscribe(channel);
            pubsub = events;
            connection = client.connect();
            LOG.log(Level.INFO, "Node {0} connected to Redis at {1}", new Object[] {node, safeUrl()});
            return true;
        } catch (RuntimeException e) {
            if (pubsub != null) {
                pubsub.closeAsync();
                pubsub = null;
            }
            LOG.log(Level.WARNING, "Redis at {0} unreachable ({1}); delivering locally until it is back",
                    new Object[] {safeUrl(), e.getMessage()});
            return false;
        }
    }

    /** On the inbox thread: a heartbeat; notices outages, the way back, and dead nodes. */
    private void heartbeat() {
        if (stopped) {
            return;
        }
        boolean was = reachable;
        if (!connect()) {
            reachable = false;
            return;
        }
        try {
            List<Object> result = commands().eval(HEARTBEAT, ScriptOutputType.MULTI,
                    new String[] {config.prefix() + ":nodes"}, node, Long.toString(config.nodeTimeout().toMillis()));
            boolean added = ((Long) result.get(0)) == 1L;
            @SuppressWarnings("unchecked") List<String> live = (List<String>) result.get(1);
            @SuppressWarnings("unchecked") List<String> dead = (List<String>) result.get(2);
            StatefulRedisPubSubConnection<String, String> events = pubsub;
            if (events == null || !events.isOpen()) {
                // commands are back but the subscription is not yet (Lettuce reconnects each connection with its own
                // jittered delay): not reachable until it is, so the catch-up runs once publications can arrive
                if (was || !waitingForSubscription) {
                    LOG.log(Level.INFO, "Node {0}: Redis answers; waiting for the subscription to be back", node);
                }
                waitingForSubscription = true;
                reachable = false;
                return;
            }
            reachable = true;
            waitingForSubscription = false;
            if (!was) {
                graceUntilNanos = System.nanoTime() + config.nodeTimeout().toNanos();
            }
            boolean grace = System.nanoTime() - graceUntilNanos < 0;
            for (String gone : grace ? List.<String>of() : dead) {
                LOG.log(Level.INFO, "Node {0} missed its heartbeats: withdrawing its members", gone);
                commands().eval(WITHDRAW, ScriptOutputType.INTEGER, new String[0], config.prefix(), gone, channel);
            }
            Set<String> now = new java.util.HashSet<>(live);
            if (grace) {
                now.addAll(dead); // they could not beat either while Redis was away
            }
            now = Set.copyOf(now);
            boolean changed = !now.equals(alive);
            alive = now;
            if (!was || (added && registered)) {
                // back after an outage, or Redis forgot us (restarted empty, or took us for dead): catch up,
                // and once more a little later, for what was published before the subscription was back
                LOG.log(Level.INFO, "Node {0}: Redis reachable; resynchronizing rooms", node);
                hub.resynchronize();
                resyncAgainIn = 3;
            } else if (resyncAgainIn > 0 && --resyncAgainIn == 0) {
                hub.resynchronize();
            } else if (changed) {
                hub.nodesChanged();
            }
            registered = true;
        } catch (RuntimeException e) {
            if (was) {
                LOG.log(Level.WARNING, "Redis heartbeat failed ({0}); delivering locally until it is back", e.getMessage());
            }
            reachable = false;
        }
    }

    /** On the inbox thread: one event from the channel. */
    private void received(String message) {
        try {
            if (message.startsWith("P ")) {
                int a = message.indexOf(' ', 2);
                int b = message.indexOf(' ', a + 1);
                int c = message.indexOf(' ', b + 1);
                hub.publication(message.substring(2, a), message.substring(a + 1, b),
                        Long.parseLong(message.substring(b + 1, c)), message.substring(c + 1));
            } else if (message.startsWith("R ")) {
                String[] parts = message.split(" ");
                hub.reset(parts[1], parts[2], Long.parseLong(parts[3]));
            } else if (message.startsWith("C ")) {
                hub.presenceChanged(message.substring(2));
            } else if (message.startsWith("{")) {
                JsonObject event = Json.createReader(new StringReader(message)).readObject();
                if (node.equals(event.getString("node"))) {
                    return; // handled locally before it was published
                }
                switch (event.getString("kind")) {
                    case "direct" -> hub.direct(event.getString("user"), event.getString("frame"));
                    case "disconnect" -> hub.disconnect(event.getString("user"), event.getInt("code"),
                            event.getString("reason"));
                    default -> LOG.log(Level.FINE, "Ignoring unknown cluster event {0}", event.getString("kind"));
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Failed to handle a cluster event", e);
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
    public Position append(String room, RoomPolicy policy, String payload) throws Unavailable {
        long ttl = Math.max(1, policy.historyTtl().toSeconds());
        List<Object> result = call(() -> commands().eval(APPEND, ScriptOutputType.MULTI,
                new String[] {meta(room), log(room)}, newEpoch(), Integer.toString(policy.historySize()), payload,
                Long.toString(Math.max(ttl, config.metaTtl().toSeconds())), Long.toString(ttl), channel, room));
        return new Position((String) result.get(0), (Long) result.get(1));
    }

    @Override
    public Position position(String room) throws Unavailable {
        List<Object> result = call(() -> commands().eval(POSITION, ScriptOutputType.MULTI,
                new String[] {meta(room), log(room)}, newEpoch(), Long.toString(config.metaTtl().toSeconds())));
        return new Position((String) result.get(0), (Long) result.get(1));
    }

    @Override
    public Optional<List<Entry>> range(String room, RoomPolicy policy, long after, long upTo) throws Unavailable {
        if (upTo <= after) {
            return Optional.of(List.of());
        }
        List<StreamMessage<String, String>> found = call(() -> commands().xrange(log(room),
                Range.create((after + 1) + "-1", upTo + "-1")));
        if (found.size() != upTo - after) {
            return Optional.empty(); // trimmed, expired or lost: not all of it is held
        }
        List<Entry> entries = new ArrayList<>(found.size());
        long expected = after + 1;
        for (StreamMessage<String, String> m : found) {
            long offset = Long.parseLong(m.getId().substring(0, m.getId().indexOf('-')));
            if (offset != expected++) {
                return Optional.empty();
            }
            entries.add(new Entry(offset, m.getBody().get("p")));
        }
        return Optional.of(entries);
    }

    @Override
    public Position reset(String room) throws Unavailable {
        List<Object> result = call(() -> commands().eval(RESET, ScriptOutputType.MULTI,
                new String[] {meta(room), log(room)}, newEpoch(), Long.toString(config.metaTtl().toSeconds()),
                channel, room));
        return new Position((String) result.get(0), (Long) result.get(1));
    }

    @Override
    public void presence(String room, String user, int connections) {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null && reachable) {
            c.async().eval(PRESENCE, ScriptOutputType.INTEGER,
                    new String[] {config.prefix() + ":{" + room + "}:presence", config.prefix() + ":node:" + node + ":rooms"},
                    node + "|" + user, Integer.toString(connections), channel, room);
        } // else: rewritten by resynchronize
    }

    @Override
    public Map<String, Integer> remotePresence(String room) throws Unavailable {
        Map<String, String> fields = call(() -> commands().hgetall(config.prefix() + ":{" + room + "}:presence"));
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
        StatefulRedisConnection<String, String> c = connection;
        if (c != null && reachable) {
            c.async().eval(USER, ScriptOutputType.INTEGER,
                    new String[] {config.prefix() + ":user:" + user, config.prefix() + ":node:" + node + ":users"},
                    node, Integer.toString(connections), user);
        }
    }

    @Override
    public int remoteConnections(String user) throws Unavailable {
        Map<String, String> fields = call(() -> commands().hgetall(config.prefix() + ":user:" + user));
        Set<String> live = alive;
        int count = 0;
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (!e.getKey().equals(node) && live.contains(e.getKey())) {
                count += Integer.parseInt(e.getValue());
            }
        }
        return count;
    }

    @Override
    public void direct(String user, String frame) {
        event(Json.createObjectBuilder().add("kind", "direct").add("node", node).add("user", user).add("frame", frame).build());
    }

    @Override
    public void disconnect(String user, int code, String reason) {
        event(Json.createObjectBuilder().add("kind", "disconnect").add("node", node).add("user", user).add("code", code)
                .add("reason", reason == null ? "" : reason).build());
    }

    private void event(JsonObject event) {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null && reachable) {
            c.async().publish(channel, event.toString());
        }
    }

    @Override
    public synchronized void stop() {
        stopped = true;
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        try {
            if (connection != null && reachable) {
                commands().eval(WITHDRAW, ScriptOutputType.INTEGER, new String[0], config.prefix(), node, channel);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.INFO, "Could not withdraw node {0} from Redis ({1}); other nodes will once its heartbeat is old",
                    new Object[] {node, e.getMessage()});
        }
        if (inbox != null) {
            inbox.shutdownNow();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private RedisCommands<String, String> commands() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            throw new io.lettuce.core.RedisConnectionException("not connected");
        }
        return c.sync();
    }

    private <T> T call(java.util.function.Supplier<T> command) throws Unavailable {
        try {
            return command.get();
        } catch (RuntimeException e) { // RedisException, timeouts, rejected while disconnected
            throw new Unavailable("Redis unavailable: " + e.getMessage(), e);
        }
    }

    private String meta(String room) {
        return config.prefix() + ":{" + room + "}:meta";
    }

    private String log(String room) {
        return config.prefix() + ":{" + room + "}:log";
    }

    private static String newEpoch() {
        return Long.toString((RANDOM.nextLong() & Long.MAX_VALUE) | (1L << 62), 36).substring(0, 8);
    }

    /** The URL without a password, for logs. */
    private String safeUrl() {
        return config.url().replaceAll("//[^@/]*@", "//***@");
    }
}
