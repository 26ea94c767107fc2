package dev.switchboard.cluster;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * The subscriptions of a node on several independent Redis servers ({@code switchboard.redis.shards}): one
 * {@link SingleSubscriber} per server, each channel subscribed on the server its hash tag hashes to (where the scripts
 * publish it, {@link RedisConnections#shard}), the broadcast channel on its own server only. Lettuce reconnects each
 * server's connection and subscribes again on its own; {@link #repair} reports a server that was disconnected since
 * the last repair and is back, so that the node resynchronizes what it may have missed there.
 */
final class ServersSubscriber implements Subscriber {

    private final List<SingleSubscriber> servers = new ArrayList<>();
    /** Per server: disconnections seen by its client (commands' or subscriptions' connection), and those repaired. */
    private final AtomicLongArray disconnections;
    private final long[] repaired;
    private volatile String broadcast;

    ServersSubscriber(List<RedisClient> clients) {
        this.disconnections = new AtomicLongArray(clients.size());
        this.repaired = new long[clients.size()];
        for (int i = 0; i < clients.size(); i++) {
            int server = i;
            clients.get(i).addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                    disconnections.incrementAndGet(server);
                }
            });
            servers.add(new SingleSubscriber(clients.get(i)));
        }
    }

    @Override
    public void open(Consumer<String> events, String broadcast, Collection<String> channels) {
        List<List<String>> byServer = new ArrayList<>();
        servers.forEach(s -> byServer.add(new ArrayList<>()));
        channels.forEach(channel -> byServer.get(server(channel)).add(channel));
        int opened = 0;
        try {
            for (; opened < servers.size(); opened++) {
                servers.get(opened).open(events, opened == server(broadcast) ? broadcast : null, byServer.get(opened));
            }
        } catch (RuntimeException e) {
            servers.subList(0, opened).forEach(SingleSubscriber::close);
            throw e;
        }
        this.broadcast = broadcast;
        for (int i = 0; i < repaired.length; i++) {
            repaired[i] = disconnections.get(i);
        }
    }

    @Override
    public CompletableFuture<Void> subscribe(String channel) {
        return servers.get(server(channel)).subscribe(channel);
    }

    @Override
    public void unsubscribe(String channel) {
        servers.get(server(channel)).unsubscribe(channel);
    }

    /** Whether the broadcast channel's server's subscription is open; the others' are the heartbeat's to repair. */
    @Override
    public boolean subscribed() {
        String b = broadcast;
        return b != null && servers.get(server(b)).subscribed();
    }

    /** On the heartbeat thread: true once per server that was disconnected and is subscribed again. */
    @Override
    public boolean repair() {
        boolean back = false;
        for (int i = 0; i < servers.size(); i++) {
            long seen = disconnections.get(i);
            if (seen != repaired[i] && servers.get(i).subscribed()) {
                repaired[i] = seen;
                back = true;
            }
        }
        return back;
    }

    @Override
    public String publishCommand() {
        return "PUBLISH";
    }

    @Override
    public void close() {
        servers.forEach(SingleSubscriber::close);
    }

    private int server(String channel) {
        return RedisConnections.shard(channel, servers.size());
    }
}
