package dev.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Several independent redis-servers of the test's own ({@code switchboard.redis.shards}), each on a free loopback
 * port without persistence: no replication between them, each key on the server its hash tag hashes to.
 */
public final class RedisServers implements TestRedis {

    private final List<RedisServer> servers = new ArrayList<>();
    private final List<Redis> views = new ArrayList<>();

    public RedisServers(int count) throws IOException, InterruptedException {
        try {
            for (int i = 0; i < count; i++) {
                servers.add(new RedisServer());
            }
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    /** The servers' URLs in order, as {@code switchboard.redis.shards} takes them. */
    public List<String> urls() {
        return servers.stream().map(RedisServer::url).toList();
    }

    @Override
    public Redis link(String prefix) {
        return new Redis(new Redis.Config("", prefix, Duration.ofSeconds(1), Duration.ofMillis(100),
                Duration.ofSeconds(2), Duration.ofHours(1), List.of(), urls()));
    }

    /** A log store on a link of its own, connected (an operator's view of the rooms' logs); shut with the servers. */
    public LogStore store(String prefix) {
        Redis view = link(prefix);
        assertTrue(view.connect(message -> { }, "view", java.util.Set::of), "the view's link connects");
        views.add(view);
        return new RedisLogStore(view);
    }

    /** The server that holds {@code key} (and every key and channel of its hash tag). */
    public RedisServer serverOf(String key) {
        return servers.get(RedisConnections.shard(key, servers.size()));
    }

    @Override
    public <T> T command(String key, Function<RedisClusterCommands<String, String>, T> command) {
        return serverOf(key).command(key, command);
    }

    @Override
    public void flushScripts() {
        servers.forEach(RedisServer::flushScripts);
    }

    @Override
    public void close() {
        views.forEach(Redis::shutdown);
        servers.forEach(RedisServer::close);
    }
}
