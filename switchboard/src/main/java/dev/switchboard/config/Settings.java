package dev.switchboard.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.Config;

/**
 * Switchboard's settings, read once from MicroProfile Config (system properties, environment variables such as
 * {@code SWITCHBOARD_MAX_MESSAGE_BYTES}, or {@code META-INF/microprofile-config.properties}). The README lists them.
 *
 * @param maxMessageBytes     largest inbound message; larger ones close the connection with 1009
 * @param queueMessages       bound of a connection's outbound queue, in messages
 * @param queueBytes          bound of a connection's outbound queue, in characters of queued text
 * @param sendTimeout         longest a single send may take before the connection is closed as a slow consumer
 * @param heartbeat           the server pings a connection it has had no answer from for half this long, and
 *                            closes it if it does not answer: after one interval with 4000 when nothing went either
 *                            way meanwhile (gone), after two with 4008 when frames to it still went out or it talked
 *                            (slow); {@code 0}: no heartbeats
 * @param idleTimeout         a connection that sends no message (pongs do not count) for this long is closed
 *                            with 1001; {@code 0}: never
 * @param firstMessageTimeout a {@code /ws} connection that sends nothing for this long after its welcome was
 *                            written is closed with 1013 (try again later); {@code 0}: never
 * @param presenceCoalesce    joins and leaves within this window go out as one {@code presence_diff}
 * @param shutdownDrain       on shutdown, how long queued messages may take to go out before every connection
 *                            is closed with 1001
 * @param writerThreads       threads that drain outbound queues (never blocked by a slow client)
 * @param defaultRoom         history and slow-consumer policy of rooms whose class has no settings of its own
 * @param roomClasses         policies by room class (see {@link RoomPolicy})
 * @param limits              per-connection and per-user limits
 * @param origins             which browser origins may open a WebSocket
 * @param socket              TLS and compression at the handshake
 * @param redis               the Redis cluster engine, or null for one node in memory
 */
public record Settings(int maxMessageBytes, int queueMessages, long queueBytes, Duration sendTimeout,
                       Duration heartbeat, Duration idleTimeout, Duration firstMessageTimeout,
                       Duration presenceCoalesce, Duration shutdownDrain, int writerThreads,
                       RoomPolicy defaultRoom, Map<String, RoomPolicy> roomClasses, Limits limits, Origins origins,
                       Socket socket, Redis redis) {

    /**
     * @param ratePerSecond         messages a connection may send per second, on average (token bucket)
     * @param rateBurst             messages it may send at once
     * @param rateStrikes           rate-limited messages within 10 s after which the connection is closed (4029)
     * @param connectionsPerUser    open connections per user on this node; one more is refused with 1013
     * @param roomsPerConnection    rooms one connection may join; one more gets {@code too_many_rooms}
     * @param publishKeyWindow      how long a publish's idempotency key is remembered
     * @param historyNodeMaxBytes   bound of all rooms' history on this node, in estimated heap bytes; at the bound a
     *                              room that records a publication gives up its oldest ones first; 0: none
     * @param maxRooms              rooms this node holds at most; a join of another one gets {@code node_full}, an
     *                              HTTP publish into another one 503; 0: no bound
     * @param queueNodeMaxBytes     bound of all connections' outbound queues on this node together, in characters of
     *                              text and bytes of binary, a broadcast frame counted once; at the bound a connection
     *                              holding more than its share gets its room's slow-consumer policy; 0: none
     */
    public record Limits(int ratePerSecond, int rateBurst, int rateStrikes, int connectionsPerUser,
                         int roomsPerConnection, Duration publishKeyWindow, long historyNodeMaxBytes, int maxRooms,
                         long queueNodeMaxBytes) {
        /** The default bound of all history on a node: 256 MiB, a quarter of a 1 GB heap. */
        public static final long HISTORY_NODE_MAX_BYTES = 256L * 1024 * 1024;
        /** The default bound of rooms on a node. */
        public static final int MAX_ROOMS = 100_000;
        /** The default bound of all queued frames on a node: 128 Mi characters, at most 256 MiB of a 1 GB heap. */
        public static final long QUEUE_NODE_MAX_BYTES = 128L * 1024 * 1024;

        /** With the default key window (5 minutes) and node bounds. */
        public Limits(int ratePerSecond, int rateBurst, int rateStrikes, int connectionsPerUser, int roomsPerConnection) {
            this(ratePerSecond, rateBurst, rateStrikes, connectionsPerUser, roomsPerConnection, Duration.ofMinutes(5),
                    HISTORY_NODE_MAX_BYTES, MAX_ROOMS, QUEUE_NODE_MAX_BYTES);
        }
    }

    /**
     * @param allowed       origins allowed besides the server's own (exact {@code scheme://host[:port]})
     * @param allowMissing  whether a handshake without an Origin header (not a browser) is allowed
     */
    public record Origins(java.util.List<String> allowed, boolean allowMissing) {
        public Origins {
            allowed = java.util.List.copyOf(allowed);
        }
    }

    /**
     * @param requireTls        {@code switchboard.require-tls}: a handshake that did not come over TLS gets 403
     * @param permessageDeflate {@code switchboard.permessage-deflate}: negotiate the container's compression, if any
     */
    public record Socket(boolean requireTls, boolean permessageDeflate) {
    }

    /**
     * {@code switchboard.redis.*}: several nodes share rooms through Redis.
     *
     * @param url          {@code redis://[user:password@]host:port[/db]} (or {@code rediss://}): one Redis
     * @param prefix      prefix of every key and of the channel
     * @param timeout     longest a command may take before the node carries on locally
     * @param heartbeat   how often a node beats
     * @param nodeTimeout a node silent this long is taken for dead
     * @param metaTtl     how long a room's offset and epoch outlive its last publication
     * @param clusterNodes {@code switchboard.redis.cluster-nodes}: seeds of a Redis Cluster ({@code host:port,…}),
     *                     empty for one Redis
     * @param shards      {@code switchboard.redis.shards}: several independent Redis servers ({@code redis://…,…}),
     *                    each room on the one its name hashes to; empty for one Redis or a Redis Cluster
     */
    public record Redis(String url, String prefix, Duration timeout, Duration heartbeat, Duration nodeTimeout,
                        Duration metaTtl, List<String> clusterNodes, List<String> shards) {
        public Redis {
            clusterNodes = List.copyOf(clusterNodes);
            shards = List.copyOf(shards);
        }
    }

    public static final String PREFIX = "switchboard.";
    private static final String ROOM_CLASS = PREFIX + "room-class.";

    public Settings {
        roomClasses = Map.copyOf(roomClasses);
    }

    /** The defaults, as documented in the README. */
    public static Settings defaults() {
        return new Settings(64 * 1024, 10_000, 8L * 1024 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(25),
                Duration.ZERO, Duration.ofSeconds(15), Duration.ofMillis(50), Duration.ofSeconds(2),
                Math.max(2, Runtime.getRuntime().availableProcessors()),
                new RoomPolicy(1000, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 100_000), Map.of(),
                new Limits(50, 100, 20, 20, 100), new Origins(java.util.List.of(), true), new Socket(false, false), null);
    }

    /** The policy of {@code room}: its class's, or the default. */
    public RoomPolicy policyFor(String room) {
        return roomClasses.getOrDefault(dev.switchboard.protocol.RoomNames.classOf(room), defaultRoom);
    }


    /** A copy with other limits (for tests and embedding). */
    public Settings withLimits(Limits other) {
        return new Settings(maxMessageBytes, queueMessages, queueBytes, sendTimeout, heartbeat, idleTimeout,
                firstMessageTimeout, presenceCoalesce, shutdownDrain, writerThreads, defaultRoom, roomClasses, other,
                origins, socket, redis);
    }

    /** A copy with {@code roomClass}'s own policy (for tests and embedding). */
    public Settings withRoomClass(String roomClass, RoomPolicy policy) {
        Map<String, RoomPolicy> classes = new java.util.HashMap<>(roomClasses);
        classes.put(roomClass, policy);
        return new Settings(maxMessageBytes, queueMessages, queueBytes, sendTimeout, heartbeat, idleTimeout,
                firstMessageTimeout, presenceCoalesce, shutdownDrain, writerThreads, defaultRoom, classes, limits,
                origins, socket, redis);
    }

    /** Reads every setting from {@code config}, falling back to {@link #defaults()}. */
    public static Settings from(Config config) {
        Settings d = defaults();
        RoomPolicy room = roomPolicy(config, PREFIX, d.defaultRoom());
        Map<String, RoomPolicy> classes = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(ROOM_CLASS)) {
                String rest = name.substring(ROOM_CLASS.length());
                int dot = rest.indexOf('.');
                if (dot > 0) {
                    String roomClass = rest.substring(0, dot);
                    classes.computeIfAbsent(roomClass, c -> roomPolicy(config, ROOM_CLASS + c + ".", room));
                }
            }
        }
        return new Settings(
                config.getOptionalValue(PREFIX + "max-message-bytes", Integer.class).orElse(d.maxMessageBytes()),
                config.getOptionalValue(PREFIX + "queue.max-messages", Integer.class).orElse(d.queueMessages()),
                config.getOptionalValue(PREFIX + "queue.max-bytes", Long.class).orElse(d.queueBytes()),
                millis(config, "send-timeout-ms", d.sendTimeout()),
                millis(config, "heartbeat-ms", d.heartbeat()),
                millis(config, "idle-timeout-ms", d.idleTimeout()),
                millis(config, "first-message-timeout-ms", d.firstMessageTimeout()),
                millis(config, "presence.coalesce-ms", d.presenceCoalesce()),
                millis(config, "shutdown.drain-ms", d.shutdownDrain()),
                config.getOptionalValue(PREFIX + "writer-threads", Integer.class).orElse(d.writerThreads()),
                room, classes,
                new Limits(
                        config.getOptionalValue(PREFIX + "rate.per-second", Integer.class).orElse(d.limits().ratePerSecond()),
                        config.getOptionalValue(PREFIX + "rate.burst", Integer.class).orElse(d.limits().rateBurst()),
                        config.getOptionalValue(PREFIX + "rate.strikes", Integer.class).orElse(d.limits().rateStrikes()),
                        config.getOptionalValue(PREFIX + "max-connections-per-user", Integer.class)
                                .orElse(d.limits().connectionsPerUser()),
                        config.getOptionalValue(PREFIX + "max-rooms-per-connection", Integer.class)
                                .orElse(d.limits().roomsPerConnection()),
                        millis(config, "publish.key-window-ms", d.limits().publishKeyWindow()),
                        config.getOptionalValue(PREFIX + "history.node-max-bytes", Long.class)
                                .orElse(d.limits().historyNodeMaxBytes()),
                        config.getOptionalValue(PREFIX + "max-rooms", Integer.class).orElse(d.limits().maxRooms()),
                        config.getOptionalValue(PREFIX + "queue.node-max-bytes", Long.class)
                                .orElse(d.limits().queueNodeMaxBytes())),
                new Origins(
                        config.getOptionalValues(PREFIX + "allowed-origins", String.class).orElse(java.util.List.of()),
                        config.getOptionalValue(PREFIX + "allow-missing-origin", Boolean.class)
                                .orElse(d.origins().allowMissing())),
                new Socket(config.getOptionalValue(PREFIX + "require-tls", Boolean.class).orElse(false),
                        config.getOptionalValue(PREFIX + "permessage-deflate", Boolean.class).orElse(false)),
                redis(config));
    }

    /** A comma-separated setting, its blank entries dropped. */
    private static List<String> list(Config config, String name) {
        return java.util.Arrays.stream(config.getOptionalValue(PREFIX + name, String.class).orElse("").split(","))
                .map(String::trim).filter(n -> !n.isEmpty()).toList();
    }

    private static Redis redis(Config config) {
        String url = config.getOptionalValue(PREFIX + "redis.url", String.class).orElse("").trim();
        List<String> seeds = list(config, "redis.cluster-nodes");
        List<String> shards = list(config, "redis.shards");
        int set = (url.isEmpty() ? 0 : 1) + (seeds.isEmpty() ? 0 : 1) + (shards.isEmpty() ? 0 : 1);
        if (set > 1) {
            throw new IllegalArgumentException("Set one of " + PREFIX + "redis.url (one Redis), " + PREFIX
                    + "redis.cluster-nodes (a Redis Cluster) or " + PREFIX + "redis.shards (several Redis servers), not "
                    + set + " (credentials go in each address, redis://user:password@host:port)");
        }
        if (set == 0) {
            return null;
        }
        return new Redis(url, config.getOptionalValue(PREFIX + "redis.prefix", String.class).orElse("switchboard"),
                millis(config, "redis.timeout-ms", Duration.ofSeconds(1)),
                millis(config, "redis.heartbeat-ms", Duration.ofSeconds(1)),
                millis(config, "redis.node-timeout-ms", Duration.ofSeconds(5)),
                Duration.ofSeconds(config.getOptionalValue(PREFIX + "redis.meta-ttl-seconds", Long.class).orElse(86_400L)),
                seeds, shards);
    }

    private static RoomPolicy roomPolicy(Config config, String prefix, RoomPolicy fallback) {
        return new RoomPolicy(
                config.getOptionalValue(prefix + "history.size", Integer.class).orElse(fallback.historySize()),
                Duration.ofSeconds(config.getOptionalValue(prefix + "history.ttl-seconds", Long.class)
                        .orElse(fallback.historyTtl().toSeconds())),
                config.getOptionalValue(prefix + "slow-consumer", String.class).map(SlowConsumerPolicy::parse)
                        .orElse(fallback.slowConsumer()),
                config.getOptionalValue(prefix + "max-members", Integer.class).orElse(fallback.maxMembers()),
                config.getOptionalValue(prefix + "presence.max-members", Integer.class).orElse(fallback.presenceMaxMembers()),
                config.getOptionalValue(prefix + "history.max-bytes", Long.class).orElse(fallback.historyMaxBytes()),
                config.getOptionalValue(prefix + "rewind", Integer.class).orElse(fallback.rewind()),
                config.getOptionalValue(prefix + "history.page-max", Integer.class).orElse(fallback.historyPageMax()));
    }

    private static Duration millis(Config config, String key, Duration fallback) {
        return Duration.ofMillis(config.getOptionalValue(PREFIX + key, Long.class).orElse(fallback.toMillis()));
    }
}
