package dev.switchboard.cluster;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One node's link to Redis (Lettuce), shared by {@link RedisCluster}, {@link RedisLogStore} and {@link RedisSessionStore}:
 * a command connection, the node's subscriptions ({@link Subscriber}), and the Lua scripts, read once from their
 * resource files and run by SHA ({@code EVALSHA}, loading the script again when Redis answers {@code NOSCRIPT}, e.g.
 * after a restart).
 *
 * <p>Three deployments, one code: one Redis ({@code switchboard.redis.url}; or a primary with replicas), a Redis
 * Cluster ({@code switchboard.redis.cluster-nodes}: Lettuce's cluster client routes each command to its slot's master,
 * rooms' and nodes' channels are sharded), or several independent Redis servers ({@code switchboard.redis.shards}:
 * {@link RedisConnections} chooses the server by the key's hash tag). Every script touches the keys of one hash tag
 * only, and declares them; every command names the key that routes it.
 *
 * <p>Blocking calls ({@link #call}, {@link #eval}) wait at most the timeout and throw {@link StoreUnavailable}.
 * Asynchronous calls ({@link #evalAsync}, {@link #publishAsync}) never wait; a failure is logged and counted
 * ({@link #failures}), never dropped silently. While disconnected, commands fail fast: the caller carries on locally.
 */
public final class Redis {

    private static final Logger LOG = Logger.getLogger(Redis.class.getName());

    /**
     * Settings of the Redis engine (see the README): {@code clusterNodes} empty for one Redis at {@code url}, else the
     * seeds of a Redis Cluster ({@code host:port} or {@code redis[s]://[user:password@]host:port}).
     */
    public record Config(String url, String prefix, Duration timeout, Duration heartbeat, Duration nodeTimeout,
                         Duration metaTtl, List<String> clusterNodes, List<String> shards) {
        public Config {
            clusterNodes = List.copyOf(clusterNodes);
            shards = List.copyOf(shards);
        }

        public Config(String url, String prefix, Duration timeout, Duration heartbeat, Duration nodeTimeout, Duration metaTtl) {
            this(url, prefix, timeout, heartbeat, nodeTimeout, metaTtl, List.of(), List.of());
        }

        boolean clustered() {
            return !clusterNodes.isEmpty();
        }
    }

    private final Config config;
    private final ClientResources resources;
    private final List<AbstractRedisClient> clients;
    private final RedisConnections connections;
    private final Subscriber subscriber;
    private final LongAdder failures = new LongAdder();
    private final LongAdder unavailable = new LongAdder();
    /** Told every command's time to its answer (blocking and asynchronous), and every failure. */
    private volatile StoreTelemetry telemetry = StoreTelemetry.NONE;

    public Redis(Config config) {
        this.config = config;
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(1)
                .reconnectDelay(Delay.fullJitter(Duration.ofMillis(100), Duration.ofSeconds(5), 100, TimeUnit.MILLISECONDS))
                .build();
        if (config.clustered()) {
            this.clients = List.of(RedisClients.cluster(resources, config));
            this.subscriber = new ShardedSubscriber(RedisClients.masters(resources, config), RedisClients.seeds(config),
                    config.timeout());
        } else if (!config.shards().isEmpty()) {
            List<RedisClient> servers = config.shards().stream().map(url -> RedisClients.single(resources, config, url)).toList();
            this.clients = List.copyOf(servers);
            this.subscriber = new ServersSubscriber(servers);
        } else {
            RedisClient single = RedisClients.single(resources, config, config.url());
            this.clients = List.of(single);
            this.subscriber = new SingleSubscriber(single);
        }
        this.connections = new RedisConnections(clients);
    }

    public Config config() {
        return config;
    }

    boolean clustered() { // sharded channels; scripts guard rooms against a failed-over master
        return config.clustered();
    }

    /** The script argument saying whether rooms are guarded against a master's failover ({@code guard.lua}). */
    String guard() {
        return clustered() ? "1" : "0";
    }

    /** The command scripts publish on a room's channel with: {@code PUBLISH}, or {@code SPUBLISH} on Redis Cluster. */
    String publishCommand() {
        return subscriber.publishCommand();
    }

    /** The channel every node subscribes to (plain pub/sub): operators' removals and questions. */
    String channel() {
        return config.prefix() + ":events";
    }

    /** The channel of {@code room}'s events, for the nodes that have the room; hash tag the room's, as its keys'. */
    String roomChannel(String room) {
        return config.prefix() + ":{" + room + "}:events";
    }

    /** The channel of one node: messages for the users it holds (direct messages, disconnects). */
    String nodeChannel(String node) {
        return config.prefix() + ":{node:" + node + "}:events";
    }

    /**
     * Connects (or tries again after failing to at start) and subscribes {@code events} to the broadcast channel, to
     * {@code node}'s own channel and to {@code rooms}' channels. False when Redis cannot be reached now.
     */
    synchronized boolean connect(Consumer<String> events, String node, Supplier<Collection<String>> rooms) {
        if (connections.isOpen()) {
            return true;
        }
        try {
            List<String> channels = new ArrayList<>(List.of(nodeChannel(node)));
            rooms.get().forEach(room -> channels.add(roomChannel(room)));
            subscriber.open(events, channel(), channels);
            connections.open();
            LOG.log(Level.INFO, "Connected to Redis at {0}", safeUrl());
            return true;
        } catch (RuntimeException e) {
            subscriber.close();
            connections.close();
            LOG.log(Level.WARNING, "Redis at {0} unreachable ({1}); delivering locally until it is back",
                    new Object[] {safeUrl(), e.getMessage()});
            return false;
        }
    }

    /** The node's subscriptions: rooms' channels followed, repaired by the heartbeat. */
    Subscriber subscriber() {
        return subscriber;
    }

    /**
     * Never waits: on Redis Cluster, has Lettuce read the slots again (commands failed: a master may have been replaced).
     * Lettuce's own triggers do not suffice: a view read in a failover, when nodes disagree, is kept until the next one.
     */
    void refreshSlots() {
        if (clients.get(0) instanceof RedisClusterClient cluster) {
            cluster.refreshPartitionsAsync().whenComplete((done, failure) -> {
                if (failure != null) {
                    LOG.log(Level.FINE, "Redis Cluster: the slots could not be read: " + failure);
                }
            });
        }
    }

    boolean connected() {
        return connections.isOpen();
    }

    /** Blocking: {@code command} on the command connection of {@code key}'s server (the key it touches). */
    <T> T call(String key, Function<RedisClusterCommands<String, String>, T> command) throws StoreUnavailable {
        return call(key, command, false);
    }

    private <T> T call(String key, Function<RedisClusterCommands<String, String>, T> command, boolean heartbeat)
            throws StoreUnavailable {
        long started = System.nanoTime();
        try {
            while (true) {
                try {
                    return command.apply(heartbeat ? connections.heartbeat(key) : connections.sync(key));
                } catch (RedisCommandExecutionException e) {
                    // Redis Cluster: a script's keys half moved to a slot's new master; the slot settles in moments
                    if (!String.valueOf(e.getMessage()).startsWith("TRYAGAIN")
                            || System.nanoTime() - started > config.timeout().toNanos()) {
                        throw e;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            }
        } catch (RuntimeException e) { // RedisException, timeouts, rejected while disconnected
            telemetry.commandFailed(true);
            unavailable.increment();
            throw new StoreUnavailable("Redis unavailable: " + e.getMessage(), e);
        } finally {
            telemetry.commandCompleted(System.nanoTime() - started);
        }
    }

    /** Where command times and failures are told; set once, before the link is used. */
    public void telemetry(StoreTelemetry listener) {
        this.telemetry = listener;
    }

    /** Blocking: runs {@code script} by SHA, loading it on {@code NOSCRIPT}; on its first key's server. */
    <T> T eval(RedisScript script, ScriptOutputType type, String[] keys, String... args) throws StoreUnavailable {
        return eval(false, script, type, keys, args);
    }

    /** As {@link #eval}, on the heartbeat's own connection ({@code heartbeat}; see {@link RedisConnections}). */
    <T> T eval(boolean heartbeat, RedisScript script, ScriptOutputType type, String[] keys, String... args)
            throws StoreUnavailable {
        return call(keys[0], c -> {
            try {
                return c.<T>evalsha(script.sha, type, keys, args);
            } catch (RedisNoScriptException e) {
                c.scriptLoad(script.source);
                return c.<T>evalsha(script.sha, type, keys, args);
            }
        }, heartbeat);
    }

    /**
     * Never waits: runs {@code script} by SHA ({@code EVAL} on {@code NOSCRIPT}); a failure is logged and counted, and
     * {@code onFailure} (null: nothing) runs on Lettuce's thread: it must not wait.
     */
    void evalAsync(String what, Runnable onFailure, RedisScript script, ScriptOutputType type, String[] keys, String... args) {
        RedisClusterAsyncCommands<String, String> c = connections.async(keys[0]);
        if (c == null) {
            failed(what, new RedisConnectionException("not connected"), onFailure);
            return;
        }
        RedisFuture<Object> sent;
        long started = System.nanoTime();
        try {
            sent = c.evalsha(script.sha, type, keys, args);
        } catch (RuntimeException e) {
            failed(what, e, onFailure);
            return;
        }
        sent.whenComplete((result, failure) -> {
            telemetry.commandCompleted(System.nanoTime() - started);
            if (failure instanceof RedisNoScriptException) {
                c.eval(script.source, type, keys, args).whenComplete((again, error) -> {
                    if (error != null) {
                        failed(what, error, onFailure);
                    }
                });
            } else if (failure != null) {
                failed(what, failure, onFailure);
            }
        });
    }

    /** Never waits: sets {@code field} of hash {@code key}, which expires after {@code ttlSeconds}; a failure is logged and counted. */
    void hsetAsync(String what, String key, String field, String value, long ttlSeconds) {
        async(what, null, key, c -> c.hset(key, field, value).thenCompose(set -> c.expire(key, ttlSeconds)));
    }

    /** Never waits: publishes {@code message} on the broadcast channel; a failure is logged and counted. */
    void publishAsync(String what, String message) {
        async(what, null, channel(), c -> c.publish(channel(), message));
    }

    /** Never waits: publishes {@code message} on a room's or a node's channel; a failure is logged and counted. */
    void publishAsync(String what, String channel, String message) {
        async(what, null, channel, c -> clustered() ? c.spublish(channel, message) : c.publish(channel, message));
    }

    /** The hash of {@code user}'s open connections: node → connections; shares a hash tag with the user's revocation. */
    String userKey(String user) {
        return config.prefix() + ":{user:" + user + "}";
    }

    /**
     * Sends {@code command} to {@code key}'s server without waiting: its time to the answer is recorded, a failure
     * logged, counted and told to {@code onFailure} (null: nobody), which must not wait.
     */
    void async(String what, Runnable onFailure, String key,
               Function<RedisClusterAsyncCommands<String, String>, CompletionStage<?>> command) {
        RedisClusterAsyncCommands<String, String> c = connections.async(key);
        if (c == null) {
            failed(what, new RedisConnectionException("not connected"), onFailure);
            return;
        }
        long started = System.nanoTime();
        try {
            command.apply(c).whenComplete((answer, failure) -> {
                telemetry.commandCompleted(System.nanoTime() - started);
                if (failure != null) {
                    failed(what, failure, onFailure);
                }
            });
        } catch (RuntimeException e) {
            failed(what, e, onFailure);
        }
    }

    private void failed(String what, Throwable failure, Runnable onFailure) {
        if (onFailure != null) {
            onFailure.run();
        }
        failures.increment();
        telemetry.commandFailed(false);
        // INFO, not WARNING: during an outage every best-effort command fails; the heartbeat logs the outage once
        LOG.log(Level.INFO, "Redis command failed ({0}): {1}",
                new Object[] {what, failure.toString()});
    }

    /** Blocking calls that failed since start (a room may have gone on alone). */
    long unavailable() {
        return unavailable.sum();
    }

    /** Counts a failure of this node's own making: a subscription not confirmed in time. */
    void subscriptionUnconfirmed() {
        unavailable.increment();
    }

    /** Asynchronous commands that failed since start. */
    long failures() {
        return failures.sum();
    }

    void shutdown() {
        subscriber.shutdown();
        clients.forEach(client -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** The URL without a password, for logs. */
    String safeUrl() {
        String where = config.clustered() ? "cluster " + String.join(",", config.clusterNodes())
                : config.shards().isEmpty() ? config.url() : "servers " + String.join(",", config.shards());
        return where.replaceAll("//[^@/]*@", "//***@");
    }
}
