package dev.switchboard.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Chooses the cluster engine from MicroProfile Config: {@code switchboard.redis.url} set → {@link RedisCluster} and
 * {@link RedisLogStore} on one {@link Redis} link; otherwise one node ({@link LocalCluster}), whose rooms keep their
 * own logs (the {@link MemoryLogStore} is then never asked). The hub owns the lifecycle (stops the cluster on shutdown).
 */
@ApplicationScoped
class ClusterProducer {

    private static final Logger LOG = Logger.getLogger(ClusterProducer.class.getName());

    private volatile Redis redis;
    private volatile boolean read;

    private synchronized Redis redis() {
        if (!read) {
            read = true;
            Config config = ConfigProvider.getConfig();
            String url = config.getOptionalValue("switchboard.redis.url", String.class).orElse("").trim();
            if (!url.isEmpty()) {
                redis = new Redis(new Redis.Config(url,
                        config.getOptionalValue("switchboard.redis.prefix", String.class).orElse("switchboard"),
                        millis(config, "switchboard.redis.timeout-ms", 1000),
                        millis(config, "switchboard.redis.heartbeat-ms", 1000),
                        millis(config, "switchboard.redis.node-timeout-ms", 5000),
                        Duration.ofSeconds(config.getOptionalValue("switchboard.redis.meta-ttl-seconds", Long.class).orElse(86_400L))));
                LOG.info("Cluster engine: Redis (nodes share rooms, history and presence)");
            }
        }
        return redis;
    }

    @Produces
    @Singleton
    Cluster cluster() {
        Redis link = redis();
        return link == null ? new LocalCluster() : new RedisCluster(link);
    }

    @Produces
    @Singleton
    LogStore logStore() {
        Redis link = redis();
        return link == null ? new MemoryLogStore() : new RedisLogStore(link);
    }

    private static Duration millis(Config config, String key, long fallback) {
        return Duration.ofMillis(config.getOptionalValue(key, Long.class).orElse(fallback));
    }
}
