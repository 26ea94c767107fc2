package dev.switchboard.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.logging.Logger;
import dev.switchboard.config.Settings;
import jakarta.inject.Inject;

/**
 * Chooses the cluster engine from the settings: {@code switchboard.redis.url}, {@code .cluster-nodes} or {@code .shards} set → {@link RedisCluster} and
 * {@link RedisLogStore} (and {@link RedisSessionStore}) on one {@link Redis} link; otherwise one node ({@link LocalCluster}), whose rooms keep their
 * own logs (the {@link MemoryLogStore} is then never asked). The hub owns the lifecycle (stops the cluster on shutdown).
 */
@ApplicationScoped
class ClusterProducer {

    private static final Logger LOG = Logger.getLogger(ClusterProducer.class.getName());

    @Inject
    Settings settings;

    /** Told each store command's time and failure (the node's metrics). */
    @Inject
    StoreTelemetry telemetry;

    private Redis redis;
    private boolean made;

    /** One link for both the cluster and the log store, made on first use. */
    private synchronized Redis redis() {
        if (!made) {
            made = true;
            Settings.Redis r = settings.redis();
            if (r != null) {
                redis = new Redis(new Redis.Config(r.url(), r.prefix(), r.timeout(), r.heartbeat(), r.nodeTimeout(), r.metaTtl(),
                        r.clusterNodes(), r.shards()));
                redis.telemetry(telemetry);
                LOG.info("Cluster engine: " + (!r.clusterNodes().isEmpty() ? "Redis Cluster"
                        : r.shards().isEmpty() ? "Redis" : r.shards().size() + " Redis servers")
                        + " (nodes share rooms, history and presence)");
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
    SessionStore sessionStore() {
        Redis link = redis();
        return link == null ? SessionStore.local() : new RedisSessionStore(link);
    }

    @Produces
    @Singleton
    LogStore logStore() {
        Redis link = redis();
        return link == null ? new MemoryLogStore() : new RedisLogStore(link);
    }
}
