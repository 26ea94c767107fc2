package dev.switchboard.cluster;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.function.Function;

/** A real Redis a test started — one redis-server, or a Redis Cluster — and an operator's way into it. */
public interface TestRedis extends AutoCloseable {

    /** A link with short timeouts and heartbeats, for tests. */
    Redis link(String prefix);

    /** Runs {@code command} as an operator would (routed by key on a cluster); for breaking or reading keys. */
    <T> T command(Function<RedisClusterCommands<String, String>, T> command);

    /** Makes every master forget the scripts ({@code SCRIPT FLUSH}), as after a restart. */
    void flushScripts();

    @Override
    void close();
}
