package dev.switchboard.cluster;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.function.Function;

/**
 * A real Redis a test started — one redis-server, a Redis Cluster, or several independent redis-servers — and an
 * operator's way into it.
 */
public interface TestRedis extends AutoCloseable {

    /** A link with short timeouts and heartbeats, for tests. */
    Redis link(String prefix);

    /** Runs {@code command} on {@code key}'s server, as an operator would; for breaking or reading keys. */
    <T> T command(String key, Function<RedisClusterCommands<String, String>, T> command);

    /** Makes every master forget the scripts ({@code SCRIPT FLUSH}), as after a restart. */
    void flushScripts();

    @Override
    void close();
}
