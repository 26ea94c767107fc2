package dev.switchboard.cluster;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The subscriptions of a node on one Redis (or a primary with replicas behind Sentinel): one pub/sub connection,
 * plain {@code SUBSCRIBE} for every channel; Lettuce reconnects it and subscribes again to every channel it had.
 */
final class SingleSubscriber implements Subscriber {

    private static final Logger LOG = Logger.getLogger(SingleSubscriber.class.getName());

    private final RedisClient client;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;

    SingleSubscriber(RedisClient client) {
        this.client = client;
    }

    @Override
    public void open(Consumer<String> events, String broadcast, Collection<String> channels) {
        StatefulRedisPubSubConnection<String, String> subscription = client.connectPubSub();
        try {
            subscription.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    events.accept(message);
                }
            });
            List<String> all = new ArrayList<>(channels);
            if (broadcast != null) { // null: another server's subscriber has it ({@link ServersSubscriber})
                all.add(broadcast);
            }
            if (!all.isEmpty()) {
                subscription.sync().subscribe(all.toArray(String[]::new));
            }
            pubsub = subscription;
        } catch (RuntimeException e) {
            subscription.closeAsync();
            throw e;
        }
    }

    @Override
    public CompletableFuture<Void> subscribe(String channel) {
        StatefulRedisPubSubConnection<String, String> s = pubsub;
        if (s == null) {
            return CompletableFuture.failedFuture(new StoreUnavailable("not connected to Redis", null));
        }
        try {
            return s.async().subscribe(channel).toCompletableFuture().thenApply(done -> null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new StoreUnavailable(e.getMessage(), e));
        }
    }

    @Override
    public void unsubscribe(String channel) {
        StatefulRedisPubSubConnection<String, String> s = pubsub;
        if (s != null) {
            try {
                s.async().unsubscribe(channel).whenComplete((done, failure) -> {
                    if (failure != null) {
                        LOG.log(Level.FINE, "Unsubscribing from " + channel + " failed: " + failure.getMessage());
                    }
                });
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Unsubscribing from " + channel + " failed: " + e.getMessage());
            }
        }
    }

    @Override
    public boolean subscribed() {
        StatefulRedisPubSubConnection<String, String> s = pubsub;
        return s != null && s.isOpen();
    }

    @Override
    public boolean repair() {
        return false; // Lettuce subscribes again on reconnect; the heartbeat resynchronizes when Redis is back
    }

    @Override
    public String publishCommand() {
        return "PUBLISH";
    }

    @Override
    public void close() {
        StatefulRedisPubSubConnection<String, String> s = pubsub;
        pubsub = null;
        if (s != null) {
            s.closeAsync();
        }
    }
}
