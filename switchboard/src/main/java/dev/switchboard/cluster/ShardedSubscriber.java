package dev.switchboard.cluster;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.slots.ClusterSlotRange;
import io.lettuce.core.cluster.models.slots.ClusterSlotsParser;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
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
 * slots again ({@code CLUSTER SLOTS}) and subscribes each on its master now, master by master, one channel per command. A master that hangs
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

    private final RedisClient masters;
    private final RedisURI seed;
    private final Duration timeout;
    /** Every node's address seen (the seeds, then every master and replica of a slot table): asked for the slots. */
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    /** The slots' masters, host:port, as the latest node asked said ({@code CLUSTER SLOTS}); null: not served. */
    private volatile String[] owners = new String[SlotHash.SLOT_COUNT];
    /** The node that said so. */
    private volatile String slotsFrom;
    /** Slot readings so far (the heartbeat thread's, or open's). */
    private int asked;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<StatefulRedisPubSubConnection<String, String>>> connections =
            new ConcurrentHashMap<>();
    private volatile Consumer<String> events = message -> { };
    private volatile String broadcast;

    /**
     * @param masters a client for the masters' pub/sub connections, which must not reconnect on their own
     * @param seeds   the cluster's seeds; the first one's credentials and TLS are every node's
     */
    ShardedSubscriber(RedisClient masters, List<RedisURI> seeds, Duration timeout) {
        this.masters = masters;
        this.seed = seeds.get(0);
        this.timeout = timeout;
        seeds.forEach(uri -> known.add(uri.getHost() + ":" + uri.getPort()));
    }

    /**
     * Blocking: reads which master serves each slot from the first node that answers, another node first each time.
     * Its own, not Lettuce's view of the cluster: after a failover Lettuce's refreshed partitions still named the
     * dead master here (Lettuce 7.7, {@code KNOWN_MAJORITY} consensus). A node that answers with a view not yet updated is corrected on the next
     * heartbeat: a subscription to a master that is gone or no longer serves the slot fails and is made again.
     */
    private void readSlots() {
        RuntimeException last = null;
        List<String> nodes = new java.util.ArrayList<>(known);
        // a different node first each time: one whose view lags (seen: a node naming a dead master for 30 s) is
        // not asked again and again
        java.util.Collections.rotate(nodes, asked++);
        for (String address : nodes) {
            int colon = address.lastIndexOf(':');
            RedisURI uri = RedisURI.builder(seed).withHost(address.substring(0, colon))
                    .withPort(Integer.parseInt(address.substring(colon + 1))).build();
            try (StatefulRedisConnection<String, String> c = masters.connect(uri)) {
                String[] now = new String[SlotHash.SLOT_COUNT];
                for (ClusterSlotRange range : ClusterSlotsParser.parse(c.sync().clusterSlots())) {
                    String master = range.getUpstream().getUri().getHost() + ":" + range.getUpstream().getUri().getPort();
                    java.util.Arrays.fill(now, range.getFrom(), range.getTo() + 1, master);
                    known.add(master);
                    range.getReplicaNodes().forEach(r -> known.add(r.getUri().getHost() + ":" + r.getUri().getPort()));
                }
                owners = now;
                slotsFrom = address;
                return;
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new RedisConnectionException("no node of the cluster answers CLUSTER SLOTS: " + last, last);
    }

    @Override
    public void open(Consumer<String> events, String broadcast, Collection<String> sharded) {
        readSlots();
        this.events = events;
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
        this.broadcast = broadcast;
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
        String master = owners[SlotHash.getSlot(name)];
        if (master == null) {
            ch.lost = true;
            ch.confirmed = CompletableFuture.failedFuture(new StoreUnavailable("no master serves the slot of " + name, null));
            return;
        }
        String previous = ch.master;
        if (previous != null && !previous.equals(master)) {
            leave(previous, name);
        }
        ch.master = master;
        CompletableFuture<Void> done = connection(master)
                .thenCompose(c -> (ch.sharded ? c.async().ssubscribe(name) : c.async().subscribe(name)).toCompletableFuture())
                .thenApply(subscribed -> null);
        ch.confirmed = done;
        done.whenComplete((subscribed, failure) -> {
            if (failure != null && ch.confirmed == done) {
                ch.lost = true;
            }
        });
    }

    private CompletableFuture<StatefulRedisPubSubConnection<String, String>> connection(String master) {
        return connections.compute(master, (key, existing) -> {
            if (existing != null && !closed(existing)) {
                return existing;
            }
            int colon = master.lastIndexOf(':');
            RedisURI uri = RedisURI.builder(seed).withHost(master.substring(0, colon))
                    .withPort(Integer.parseInt(master.substring(colon + 1))).build();
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

    /**
     * Once opened, always: a channel lost with its master (the broadcast channel's too) is {@link #repair}ed on its own,
     * and the node resynchronizes then; the other masters' rooms go on meanwhile, the node stays reachable.
     */
    @Override
    public boolean subscribed() {
        return broadcast != null;
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
            try {
                readSlots();
            } catch (RuntimeException e) { // no node answers: tried again on the next heartbeat
                LOG.log(Level.INFO, "Redis Cluster: the slots could not be read ({0}); subscribing again later", e.toString());
                return false;
            }
        }
        Map<String, Integer> again = new TreeMap<>();
        List<CompletableFuture<Void>> confirmations = new java.util.ArrayList<>();
        channels.forEach((name, ch) -> {
            synchronized (ch) {
                String owner = owners[SlotHash.getSlot(name)];
                boolean moved = owner != null && ch.master != null && !owner.equals(ch.master);
                if (ch.lost || moved) {
                    route(name, ch);
                    again.merge(String.valueOf(ch.master), 1, Integer::sum);
                    confirmations.add(ch.confirmed);
                }
            }
        });
        if (again.isEmpty()) {
            return false;
        }
        LOG.log(Level.INFO, "Redis Cluster: subscribing again to channels dropped or moved, by master: {0} (the slots as {1} says)",
                new Object[] {again, slotsFrom});
        // the caller resynchronizes next: only once the channels are back, or what is published meanwhile is missed
        try {
            CompletableFuture.allOf(confirmations.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.FINE, "Redis Cluster: not every channel is back yet ({0}); again on the next heartbeat", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
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

    @Override
    public void shutdown() {
        close();
        masters.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
