package dev.switchboard.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One node's link to Redis (Lettuce), shared by {@link RedisCluster} and {@link RedisLogStore}: a command connection,
 * a pub/sub connection on the cluster's channel, and the Lua scripts, read once from their resource files and run by
 * SHA ({@code EVALSHA}, loading the script again when Redis answers {@code NOSCRIPT}, e.g. after a restart).
 *
 * <p>Blocking calls ({@link #call}, {@link #eval}) wait at most the timeout and throw {@link StoreUnavailable}.
 * Asynchronous calls ({@link #evalAsync}, {@link #publishAsync}) never wait; a failure is logged and counted
 * ({@link #failures}), never dropped silently. While disconnected, commands fail fast: the caller carries on locally.
 */
public final class Redis {

    private static final Logger LOG = Logger.getLogger(Redis.class.getName());

    /** Settings of the Redis engine (see the README). */
    public record Config(String url, String prefix, Duration timeout, Duration heartbeat, Duration nodeTimeout,
                         Duration metaTtl) {
    }

    /** The Lua scripts, under {@code dev/switchboard/cluster/<name>.lua}. */
    enum Script {
        APPEND, POSITION, RESET, PRESENCE, USER, HEARTBEAT, WITHDRAW;

        final String source = read(name().toLowerCase(java.util.Locale.ROOT) + ".lua");
        final String sha = sha1(source);
    }

    private final Config config;
    private final ClientResources resources;
    private final RedisClient client;
    private final LongAdder failures = new LongAdder();
    /** Told every command's time to its answer (blocking and asynchronous), and every failure. */
    private volatile StoreTelemetry telemetry = StoreTelemetry.NONE;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;

    public Redis(Config config) {
        this.config = config;
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

    public Config config() {
        return config;
    }

    /** The channel every node subscribes to: direct messages, disconnects, operators' removals and questions. */
    String channel() {
        return config.prefix() + ":events";
    }

    /**
     * The channel of {@code room}'s events (publications, resets, presence changes): subscribed by the nodes that have
     * the room, only. Its hash tag is the room's, as the room's keys'.
     */
    String roomChannel(String room) {
        return config.prefix() + ":{" + room + "}:events";
    }

    /**
     * Connects (or tries again after failing to at start) and subscribes {@code events} to the channel, to
     * {@code node}'s own channel and to {@code rooms}' channels; Lettuce reconnects on its own after that, and subscribes again to every channel then
     * subscribed. False when Redis cannot be reached now.
     */
    synchronized boolean connect(Consumer<String> events, String node, java.util.function.Supplier<java.util.Collection<String>> rooms) {
        if (connection != null) {
            return true;
        }
        try {
            StatefulRedisPubSubConnection<String, String> subscription = client.connectPubSub();
            subscription.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    events.accept(message);
                }
            });
            java.util.List<String> channels = new java.util.ArrayList<>(List.of(channel(), nodeChannel(node)));
            rooms.get().forEach(room -> channels.add(roomChannel(room)));
            subscription.sync().subscribe(channels.toArray(String[]::new));
            pubsub = subscription;
            connection = client.connect();
            LOG.log(Level.INFO, "Connected to Redis at {0}", safeUrl());
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

    /**
     * Never waits: subscribes to {@code room}'s channel; completes when Redis confirmed it (events published after that
     * reach this node), or fails ({@link StoreUnavailable}) when there is no subscription to add it to now.
     */
    java.util.concurrent.CompletableFuture<Void> subscribeRoom(String room) {
        StatefulRedisPubSubConnection<String, String> s = pubsub;
        if (s == null) {
            return java.util.concurrent.CompletableFuture.failedFuture(new StoreUnavailable("not connected to Redis", null));
        }
        try {
            return s.async().subscribe(roomChannel(room)).toCompletableFuture().thenApply(done -> null);
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(new StoreUnavailable(e.getMessage(), e));
        }
    }

    /** Never waits: unsubscribes from {@code room}'s channel; a failure is logged (the events are then ignored). */
    void unsubscribeRoom(String room) {
        StatefulRedisPubSubConnection<String, String> s = pubsub;
        if (s != null) {
            try {
                s.async().unsubscribe(roomChannel(room)).whenComplete((done, failure) -> {
                    if (failure != null) {
                        LOG.log(Level.FINE, "Unsubscribing from " + room + " failed: " + failure.getMessage());
                    }
                });
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Unsubscribing from " + room + " failed: " + e.getMessage());
            }
        }
    }

    /** Whether the subscription is open (Lettuce reconnects it separately from the command connection). */
    boolean subscribed() {
        StatefulRedisPubSubConnection<String, String> s = pubsub;
        return s != null && s.isOpen();
    }

    boolean connected() {
        return connection != null;
    }

    /** Blocking: {@code command} on the command connection. */
    <T> T call(java.util.function.Function<RedisCommands<String, String>, T> command) throws StoreUnavailable {
        long started = System.nanoTime();
        try {
            return command.apply(commands());
        } catch (RuntimeException e) { // RedisException, timeouts, rejected while disconnected
            telemetry.commandFailed(true);
            throw new StoreUnavailable("Redis unavailable: " + e.getMessage(), e);
        } finally {
            telemetry.commandCompleted(System.nanoTime() - started);
        }
    }

    /** Where command times and failures are told; set once, before the link is used. */
    public void telemetry(StoreTelemetry listener) {
        this.telemetry = listener;
    }

    /** Blocking: runs {@code script} by SHA, loading it on {@code NOSCRIPT}. */
    <T> T eval(Script script, ScriptOutputType type, String[] keys, String... args) throws StoreUnavailable {
        return call(c -> {
            try {
                return c.<T>evalsha(script.sha, type, keys, args);
            } catch (RedisNoScriptException e) {
                c.scriptLoad(script.source);
                return c.<T>evalsha(script.sha, type, keys, args);
            }
        });
    }

    /** Never waits: runs {@code script} by SHA ({@code EVAL} on {@code NOSCRIPT}); a failure is logged and counted. */
    void evalAsync(String what, Script script, ScriptOutputType type, String[] keys, String... args) {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            failed(what, new RedisConnectionException("not connected"));
            return;
        }
        RedisFuture<Object> sent;
        long started = System.nanoTime();
        try {
            sent = c.async().evalsha(script.sha, type, keys, args);
        } catch (RuntimeException e) {
            failed(what, e);
            return;
        }
        sent.whenComplete((result, failure) -> {
            telemetry.commandCompleted(System.nanoTime() - started);
            if (failure instanceof RedisNoScriptException) {
                c.async().eval(script.source, type, keys, args).whenComplete((again, error) -> {
                    if (error != null) {
                        failed(what, error);
                    }
                });
            } else if (failure != null) {
                failed(what, failure);
            }
        });
    }

    /** Never waits: sets {@code field} of hash {@code key}, which expires after {@code ttlSeconds}; a failure is logged and counted. */
    void hsetAsync(String what, String key, String field, String value, long ttlSeconds) {
        async(what, c -> c.async().hset(key, field, value).thenCompose(set -> c.async().expire(key, ttlSeconds)));
    }

    /** Never waits: publishes {@code message} on the channel; a failure is logged and counted. */
    void publishAsync(String what, String message) {
        publishAsync(what, channel(), message);
    }

    /** Never waits: publishes {@code message} on {@code channel}; a failure is logged and counted. */
    void publishAsync(String what, String channel, String message) {
        async(what, c -> c.async().publish(channel, message));
    }

    /** The channel of one node: messages for the users it holds (direct messages, disconnects). */
    String nodeChannel(String node) {
        return config.prefix() + ":node:" + node + ":events";
    }

    /**
     * Never waits: publishes {@code message} on the channel of every node but {@code self} that holds {@code user}
     * (the fields of the user's hash, {@code prefix:user:<user>}); a failure is logged and counted.
     */
    void publishToNodesOf(String what, String user, String self, String message) {
        async(what, c -> c.async().hgetall(config.prefix() + ":user:" + user).thenCompose(nodes -> {
            java.util.concurrent.CompletableFuture<?>[] sent = nodes.keySet().stream().filter(n -> !n.equals(self))
                    .map(n -> c.async().publish(nodeChannel(n), message).toCompletableFuture())
                    .toArray(java.util.concurrent.CompletableFuture[]::new);
            return java.util.concurrent.CompletableFuture.allOf(sent);
        }));
    }

    /** Sends {@code command} without waiting: its time to the answer is recorded, a failure logged and counted. */
    private void async(String what,
                       java.util.function.Function<StatefulRedisConnection<String, String>, java.util.concurrent.CompletionStage<?>> command) {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            failed(what, new RedisConnectionException("not connected"));
            return;
        }
        long started = System.nanoTime();
        try {
            command.apply(c).whenComplete((answer, failure) -> {
                telemetry.commandCompleted(System.nanoTime() - started);
                if (failure != null) {
                    failed(what, failure);
                }
            });
        } catch (RuntimeException e) {
            failed(what, e);
        }
    }

    private void failed(String what, Throwable failure) {
        failures.increment();
        telemetry.commandFailed(false);
        // INFO, not WARNING: during an outage every best-effort command fails; the heartbeat logs the outage once
        LOG.log(Level.INFO, "Redis command failed ({0}): {1}; repaired when the node resynchronizes",
                new Object[] {what, failure.toString()});
    }

    /** Asynchronous commands that failed since start. */
    long failures() {
        return failures.sum();
    }

    void shutdown() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private RedisCommands<String, String> commands() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            throw new RedisConnectionException("not connected");
        }
        return c.sync();
    }

    /** The URL without a password, for logs. */
    String safeUrl() {
        return config.url().replaceAll("//[^@/]*@", "//***@");
    }

    private static String read(String resource) {
        try (InputStream in = Redis.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Lua script " + resource + " missing from the WAR");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Lua script " + resource + " unreadable", e);
        }
    }

    private static String sha1(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
