package dev.switchboard.cluster;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The subscriptions of a node on Redis Cluster: sharded pub/sub ({@code SSUBSCRIBE}, Redis 7), each channel on the
 * master that serves its slot, one pub/sub connection per master (a partition), the broadcast channel plain
 * {@code SUBSCRIBE} on one of them (Redis Cluster forwards a plain {@code PUBLISH} to every node).
 *
 * <p>Lettuce's own resubscription is not used: it sends one {@code SSUBSCRIBE} for every channel of a connection,
 * which Redis refuses with {@code CROSSSLOT}, and it does not follow a slot that moved (Redis sends an unprompted
 * {@code sunsubscribe}; redis/lettuce issue 3213). These connections do not reconnect; {@link #repair} (every
 * heartbeat) finds the channels lost — a master gone, a slot moved, a subscription refused — reads the cluster's
 * slots again and subscribes each on its master now, master by master, one channel per command. A master that hangs
 * holds up its own channels only.
 */
final class ShardedSubscriber implements Subscriber {

    private static final Logger LOG = Logger.getLogger(ShardedSubscriber.class.getName());

    /** One channel: where it is subscribed, and whether Redis confirmed it. Guarded by itself. */
    private static final class Channel {
        final boolean sharded;
        /** host:port of the master it is subscribed on (or being). */
        volatile String master;
        volatile CompletableFuture<Void> confirmed;
        /** Dropped by Redis (its master gone, its slot moved) or refused: to subscribe again. */
        volatile boolean lost;

        Channel(boolean sharded) {
            this.sharded = sharded;
        }
    }

    private final RedisClusterClient cluster;
    private final RedisClient masters;
    private final RedisURI seed;
    private final Duration timeout;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<StatefulRedisPubSubConnection<String, String>>> connections =
            new ConcurrentHashMap<>();
    private volatile Consumer<String> events = message -> { };
    private volatile String broadcast;

    /**
     * @param cluster the command client (its view of the slots is read here)
     * @param masters a client for the masters' pub/sub connections, which must not reconnect on their own
     * @param seed    credentials and TLS of every master's address
     */
    ShardedSubscriber(RedisClusterClient cluster, RedisClient masters, RedisURI seed, Duration timeout) {
        this.cluster = cluster;
        this.masters = masters;
        this.seed = seed;
        this.timeout = timeout;
    }

    @Override
    public void open(Consumer<String> events, String broadcast, Collection<String> sharded) {
        this.events = events;
        this.broadcast = broadcast;
        channels.putIfAbsent(broadcast, new Channel(false));
        sharded.forEach(name -> channels.putIfAbsent(name, new Channel(true)));
        channels.forEach((name, ch) -> {
            synchronized (ch) {
                route(name, ch);
            }
        });
        try {
            channels.get(broadcast).confirmed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new RedisConnectionException("could not subscribe to " + broadcast + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisConnectionException("interrupted", e);
        }
    }

    @Override
    public CompletableFuture<Void> subscribe(String name) {
        Channel ch = channels.computeIfAbsent(name, n -> new Channel(true));
        synchronized (ch) {
            CompletableFuture<Void> c = ch.confirmed;
            if (c == null || ch.lost || c.isCompletedExceptionally()) {
                route(name, ch);
            }
            return ch.confirmed;
        }
    }

    @Override
    public void unsubscribe(String name) {
        Channel ch = channels.remove(name);
        if (ch != null && ch.master != null) {
            leave(ch.master, name);
        }
    }

    /** Subscribes {@code ch} on the master that serves its slot now (leaving the one it was on); never waits. */
    private void route(String name, Channel ch) {
        ch.lost = false;
        RedisClusterNode owner = cluster.getPartitions().getPartitionBySlot(SlotHash.getSlot(name));
        if (owner == null || owner.getUri() == null) {
            ch.lost = true;
            ch.confirmed = CompletableFuture.failedFuture(new StoreUnavailable("no master serves the slot of " + name, null));
            return;
        }
        String master = owner.getUri().getHost() + ":" + owner.getUri().getPort();
        String previous = ch.master;
        if (previous != null && !previous.equals(master)) {
            leave(previous, name);
        }
        ch.master = master;
        CompletableFuture<Void> done = connection(master, owner.getUri())
                .thenCompose(c -> (ch.sharded ? c.async().ssubscribe(name) : c.async().subscribe(name)).toCompletableFuture())
                .thenApply(subscribed -> null);
        ch.confirmed = done;
        done.whenComplete((subscribed, failure) -> {
            if (failure != null && ch.confirmed == done) {
                ch.lost = true;
            }
        });
    }

    private CompletableFuture<StatefulRedisPubSubConnection<String, String>> connection(String master, RedisURI at) {
        return connections.compute(master, (key, existing) -> {
            if (existing != null && !closed(existing)) {
                return existing;
            }
            RedisURI uri = RedisURI.builder(seed).withHost(at.getHost()).withPort(at.getPort()).build();
            return masters.connectPubSubAsync(StringCodec.UTF8, uri).toCompletableFuture().thenApply(c -> {
                c.addListener(listener(master));
                return c;
            });
        });
    }

    private RedisPubSubAdapter<String, String> listener(String master) {
        return new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                events.accept(message);
            }

            @Override
            public void smessage(String channel, String message) {
                events.accept(message);
            }

            @Override
            public void sunsubscribed(String channel, long count) {
                // unprompted when the channel's slot moved to another master; our own leaving removed it first
                Channel ch = channels.get(channel);
                if (ch != null && master.equals(ch.master)) {
                    ch.lost = true;
                }
            }
        };
    }

    private void leave(String master, String name) {
        CompletableFuture<StatefulRedisPubSubConnection<String, String>> f = connections.get(master);
        if (f != null && f.isDone() && !closed(f)) {
            f.join().async().sunsubscribe(name).whenComplete((done, failure) -> {
                if (failure != null) {
                    LOG.log(Level.FINE, "Unsubscribing from " + name + " failed: " + failure.getMessage());
                }
            });
        }
    }

    private static boolean closed(CompletableFuture<StatefulRedisPubSubConnection<String, String>> f) {
        return f.isDone() && (f.isCompletedExceptionally() || !f.join().isOpen());
    }

    @Override
    public boolean subscribed() {
        String b = broadcast;
        Channel ch = b == null ? null : channels.get(b);
        if (ch == null || ch.lost || ch.confirmed == null || !ch.confirmed.isDone() || ch.confirmed.isCompletedExceptionally()) {
            return false;
        }
        CompletableFuture<StatefulRedisPubSubConnection<String, String>> c = connections.get(ch.master);
        return c != null && !closed(c);
    }

    @Override
    public boolean repair() {
        boolean dropped = false;
        for (Map.Entry<String, CompletableFuture<StatefulRedisPubSubConnection<String, String>>> e : connections.entrySet()) {
            if (closed(e.getValue()) && connections.remove(e.getKey(), e.getValue())) {
                dropped = true;
                channels.values().stream().filter(ch -> e.getKey().equals(ch.master)).forEach(ch -> ch.lost = true);
                if (!e.getValue().isCompletedExceptionally()) {
                    e.getValue().join().closeAsync();
                }
            }
        }
        if (dropped || channels.values().stream().anyMatch(ch -> ch.lost)) {
            cluster.refreshPartitions(); // throws when no node answers: tried again next heartbeat
        }
        Map<String, Integer> again = new TreeMap<>();
        channels.forEach((name, ch) -> {
            synchronized (ch) {
                RedisClusterNode owner = cluster.getPartitions().getPartitionBySlot(SlotHash.getSlot(name));
                boolean moved = owner != null && owner.getUri() != null && ch.master != null
                        && !(owner.getUri().getHost() + ":" + owner.getUri().getPort()).equals(ch.master);
                if (ch.lost || moved) {
                    route(name, ch);
                    again.merge(String.valueOf(ch.master), 1, Integer::sum);
                }
            }
        });
        if (!again.isEmpty()) {
            LOG.log(Level.INFO, "Redis Cluster: subscribing again to channels dropped or moved, by master: {0}", again);
        }
        return !again.isEmpty();
    }

    @Override
    public String publishCommand() {
        return "SPUBLISH";
    }

    @Override
    public void close() {
        connections.values().forEach(f -> f.thenAccept(StatefulRedisPubSubConnection::closeAsync));
        connections.clear();
    }
}
