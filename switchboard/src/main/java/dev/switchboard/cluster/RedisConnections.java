package dev.switchboard.cluster;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.ArrayList;
import java.util.List;

/**
 * The command connections of a {@link Redis} link, and which one serves a key. One Redis and a Redis Cluster have one
 * (Lettuce's cluster client routes by slot itself); several independent Redis servers ({@code switchboard.redis.shards})
 * have one each, and a key is served by the server that {@link #shard jump consistent hashing} of its hash tag's slot
 * chooses: every key and channel of one hash tag (a room's, a user's, a node's) on the same server, as on a cluster.
 * The heartbeat has connections of its own ({@link #heartbeat}): queued behind a storm's thousands of commands on the
 * shared one, its answer came after its timeout, and the node took its own load for Redis's absence.
 */
final class RedisConnections {

    private final List<? extends AbstractRedisClient> clients;
    private volatile List<StatefulConnection<String, String>> open = List.of();
    private volatile List<RedisClusterCommands<String, String>> sync = List.of();
    private volatile List<RedisClusterAsyncCommands<String, String>> async = List.of();
    private volatile List<RedisClusterCommands<String, String>> heartbeat = List.of();

    RedisConnections(List<? extends AbstractRedisClient> clients) {
        this.clients = List.copyOf(clients);
    }

    /** Blocking, at most the timeout per server: connects to every server, or to none (and throws). */
    void open() {
        List<StatefulConnection<String, String>> made = new ArrayList<>();
        List<RedisClusterCommands<String, String>> blocking = new ArrayList<>();
        List<RedisClusterAsyncCommands<String, String>> asynchronous = new ArrayList<>();
        List<RedisClusterCommands<String, String>> beating = new ArrayList<>();
        try {
            for (AbstractRedisClient client : clients) {
                Link commands = Link.to(client);
                made.add(commands.connection());
                Link beat = Link.to(client);
                made.add(beat.connection());
                blocking.add(commands.sync());
                asynchronous.add(commands.async());
                beating.add(beat.sync());
            }
        } catch (RuntimeException e) {
            made.forEach(StatefulConnection::closeAsync);
            throw e;
        }
        sync = List.copyOf(blocking);
        async = List.copyOf(asynchronous);
        heartbeat = List.copyOf(beating);
        open = List.copyOf(made);
    }

    boolean isOpen() {
        return !open.isEmpty();
    }

    void close() {
        List<StatefulConnection<String, String>> made = open;
        open = List.of();
        sync = List.of();
        async = List.of();
        heartbeat = List.of();
        made.forEach(StatefulConnection::closeAsync);
    }

    /** The blocking commands of {@code key}'s server; throws while not connected. */
    RedisClusterCommands<String, String> sync(String key) {
        List<RedisClusterCommands<String, String>> all = sync;
        if (all.isEmpty()) {
            throw new RedisConnectionException("not connected");
        }
        return all.get(shard(key, all.size()));
    }

    /** One connection to a client's Redis (or Redis Cluster), with its blocking and asynchronous commands. */
    private record Link(StatefulConnection<String, String> connection, RedisClusterCommands<String, String> sync,
                        RedisClusterAsyncCommands<String, String> async) {
        static Link to(AbstractRedisClient client) {
            if (client instanceof RedisClusterClient cluster) {
                StatefulRedisClusterConnection<String, String> c = cluster.connect();
                return new Link(c, c.sync(), c.async());
            }
            StatefulRedisConnection<String, String> c = ((RedisClient) client).connect();
            return new Link(c, c.sync(), c.async());
        }
    }

    /** The heartbeat's own blocking commands on {@code key}'s server; throws while not connected. */
    RedisClusterCommands<String, String> heartbeat(String key) {
        List<RedisClusterCommands<String, String>> all = heartbeat;
        if (all.isEmpty()) {
            throw new RedisConnectionException("not connected");
        }
        return all.get(shard(key, all.size()));
    }

    /** The asynchronous commands of {@code key}'s server; null while not connected. */
    RedisClusterAsyncCommands<String, String> async(String key) {
        List<RedisClusterAsyncCommands<String, String>> all = async;
        return all.isEmpty() ? null : all.get(shard(key, all.size()));
    }

    /**
     * Which of {@code servers} serves {@code key}: jump consistent hashing (Lamping and Veach, 2014) of the slot of its
     * hash tag ({@code {room}}; the whole key when it has none, as Redis Cluster does). Adding a server at the end of the
     * list moves about 1/n of the keys, all to the new server; the order of the list is part of the contract.
     */
    static int shard(String key, int servers) {
        if (servers == 1) {
            return 0;
        }
        long k = SlotHash.getSlot(key);
        long b = -1;
        long j = 0;
        while (j < servers) {
            b = j;
            k = k * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((k >>> 33) + 1)));
        }
        return (int) b;
    }
}
