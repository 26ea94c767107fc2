package dev.switchboard.engine;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Chooses the cluster engine from MicroProfile Config: {@code switchboard.redis.url} set → {@link RedisCluster};
 * otherwise one node in memory ({@link LocalCluster}). The {@link Hub} owns its lifecycle (stops it on shutdown).
 */
@ApplicationScoped
class ClusterProducer {

    private static final Logger LOG = Logger.getLogger(ClusterProducer.class.getName());

    @Produces
    @Singleton
    Cluster cluster() {
        Config config = ConfigProvider.getConfig();
        String url = config.getOptionalValue("switchboard.redis.url", String.class).orElse("").trim();
        if (url.isEmpty()) {
            return new LocalCluster();
        }
        RedisCluster.Config settings = new RedisCluster.Config(url,
                config.getOptionalValue("switchboard.redis.prefix", String.class).orElse("switchboard"),
                millis(config, "switchboard.redis.timeout-ms", 1000),
                millis(config, "switchboard.redis.heartbeat-ms", 1000),
                millis(config, "switchboard.redis.node-timeout-ms", 5000),
                Duration.ofSeconds(config.getOptionalValue("switchboard.redis.meta-ttl-seconds", Long.class).orElse(86_400L)));
        LOG.info("Cluster engine: Redis (nodes share rooms, history and presence)");
        return new RedisCluster(settings);
    }

    private static Duration millis(Config config, String key, long fallback) {
        return Duration.ofMillis(config.getOptionalValue(key, Long.class).orElse(fallback));
    }
}
