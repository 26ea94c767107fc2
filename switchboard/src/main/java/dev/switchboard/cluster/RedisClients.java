package dev.switchboard.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.List;

/**
 * The Lettuce clients of a {@link Redis} link, with the options this engine relies on: commands fail fast while
 * disconnected (the caller carries on locally instead of waiting), every command and connect bounded by the timeout.
 */
final class RedisClients {

    private RedisClients() {
    }

    /**
     * One Redis at {@code url} (the one of {@code switchboard.redis.url}, or one of {@code .shards}): reconnects on its
     * own; its pub/sub connection subscribes again to every channel it had.
     */
    static RedisClient single(ClientResources resources, Redis.Config config, String url) {
        RedisClient client = RedisClient.create(resources, RedisURI.create(url));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
                .socketOptions(socket(config))
                .build());
        return client;
    }

    /**
     * Redis Cluster's commands: routed by slot, the slots read again on every adaptive trigger (a MOVED or ASK
     * redirection, two failed reconnects to a master) and every 10 s, so that a promoted replica is found. Commands
     * are accepted while a master's connection is being made (Lettuce connects to each master on first use and,
     * rejecting, would refuse the first commands of every master) and end at the timeout when it does not come.
     */
    static RedisClusterClient cluster(ClientResources resources, Redis.Config config) {
        RedisClusterClient client = RedisClusterClient.create(resources, seeds(config));
        client.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
                .socketOptions(socket(config))
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                        .refreshTriggersReconnectAttempts(2)
                        .enablePeriodicRefresh(Duration.ofSeconds(10))
                        .build())
                .build());
        return client;
    }

    /** Redis Cluster's masters' pub/sub connections: they do not reconnect ({@link ShardedSubscriber} does). */
    static RedisClient masters(ClientResources resources, Redis.Config config) {
        RedisClient client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
                .socketOptions(socket(config))
                .build());
        return client;
    }

    /** The seeds of {@code switchboard.redis.cluster-nodes}: {@code host:port} or a {@code redis[s]://} URI each. */
    static List<RedisURI> seeds(Redis.Config config) {
        return config.clusterNodes().stream().map(String::trim).filter(n -> !n.isEmpty())
                .map(n -> RedisURI.create(n.contains("://") ? n : "redis://" + n)).toList();
    }

    private static SocketOptions socket(Redis.Config config) {
        return SocketOptions.builder().connectTimeout(config.timeout()).build();
    }
}
