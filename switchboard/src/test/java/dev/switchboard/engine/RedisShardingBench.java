package dev.switchboard.engine;

import dev.switchboard.cluster.RedisClusterServers;
import dev.switchboard.cluster.RedisCluster;
import dev.switchboard.cluster.RedisLogStore;
import dev.switchboard.cluster.RedisServer;
import dev.switchboard.cluster.RedisServers;
import dev.switchboard.cluster.TestRedis;
import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import jakarta.json.Json;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.HdrHistogram.Recorder;

/**
 * A benchmark, not a test: two engines (nodes A and B, one JVM) on one Redis, then on a Redis Cluster of three masters
 * and three replicas, both started here from Debian's {@code redis-server}. Rooms spread over the masters, one member
 * of each on B; publishing threads on A call {@code publish} in a loop (each an append script on the room's master,
 * its answer awaited). Measured after a warm-up: publications per second acknowledged on A, and the delivery latency
 * from A's publish call to B's member (the publication carries A's {@code nanoTime}), p50/p99/max.
 *
 * <p>Run (README "Several nodes"): {@code mvn -B -q -pl switchboard test-compile exec:java
 * -Dexec.mainClass=dev.switchboard.engine.RedisShardingBench -Dexec.classpathScope=test}; on this 2-core machine
 * nothing else may run meanwhile. Properties: {@code bench.seconds} (10), {@code bench.publishers} (8),
 * {@code bench.rooms} (30), {@code bench.rounds} (3, each one Redis, then the cluster, then three servers). The table goes to stdout and {@code switchboard/target/redis-sharding.md}.
 */
public final class RedisShardingBench {

    private static final int SECONDS = Integer.getInteger("bench.seconds", 10);
    private static final int PUBLISHERS = Integer.getInteger("bench.publishers", 8);
    private static final int ROOMS = Integer.getInteger("bench.rooms", 30);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

    private RedisShardingBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> rows = new ArrayList<>();
        rows.add("| round | Redis | publications/s on A | delivered on B | latency p50 | p99 | max |");
        rows.add("|---|---|---|---|---|---|---|");
        for (int round = 1; round <= ROUNDS; round++) { // alternated: the machine drifts between runs
            try (TestRedis one = new RedisServer()) {
                rows.add("| " + round + " " + run("one redis-server", one));
            }
            try (TestRedis cluster = new RedisClusterServers()) {
                rows.add("| " + round + " " + run("Redis Cluster, 3 masters + 3 replicas", cluster));
            }
            try (TestRedis servers = new RedisServers(3)) {
                rows.add("| " + round + " " + run("3 independent redis-servers", servers));
            }
        }
        String table = String.join("\n", rows) + "\n";
        System.out.println(table);
        Files.writeString(Path.of("target", "redis-sharding.md"), table);
        System.exit(0); // Lettuce's and the engines' threads
    }

    private static String run(String name, TestRedis redis) throws Exception {
        EngineFixture fixture = new EngineFixture();
        Settings settings = EngineFixture.settings().queue(1_000_000)
                .room(new RoomPolicy(1000, Duration.ofMinutes(5), SlowConsumerPolicy.DROP_OLDEST, 0)).build();
        List<RedisCluster> clusters = new ArrayList<>();
        Hub a = node(redis, settings, fixture, clusters);
        Hub b = node(redis, settings, fixture, clusters);
        long ready = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!clusters.stream().allMatch(c -> c.reachable() && c.nodes() == 2)) { // else rooms start alone
            if (System.nanoTime() > ready) {
                throw new IllegalStateException("the nodes did not reach Redis within 20 s");
            }
            TimeUnit.MILLISECONDS.sleep(20); // bounded poll of the heartbeats
        }
        Recorder latency = new Recorder(3);
        LongAdder delivered = new LongAdder();
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < ROOMS; i++) {
            rooms.add("bench-" + i);
            Connection member = b.open(new Timing(latency, delivered), "member-" + i, "/ws", false);
            if (!b.join(member, "j", "bench-" + i, null, null)) {
                throw new IllegalStateException("join refused");
            }
        }
        LongAdder published = new LongAdder();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService publishers = Executors.newFixedThreadPool(PUBLISHERS);
        for (int t = 0; t < PUBLISHERS; t++) {
            int first = t;
            publishers.execute(() -> {
                for (int i = first; running.get(); i += PUBLISHERS) {
                    a.publish(rooms.get(i % rooms.size()), Json.createValue(System.nanoTime()));
                    published.increment();
                }
            });
        }
        TimeUnit.SECONDS.sleep(3); // warm-up
        latency.reset();
        long before = published.sum();
        long started = System.nanoTime();
        TimeUnit.SECONDS.sleep(SECONDS); // the measurement's length
        long count = published.sum() - before;
        double perSecond = count / ((System.nanoTime() - started) / 1e9);
        org.HdrHistogram.Histogram h = latency.getIntervalHistogram();
        running.set(false);
        publishers.shutdown();
        publishers.awaitTermination(10, TimeUnit.SECONDS);
        long total = published.sum();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (delivered.sum() < total && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50); // bounded: the last deliveries arriving
        }
        a.shutdown();
        b.shutdown();
        fixture.close();
        return String.format("| %s | %,.0f | %,d of %,d | %.2f ms | %.2f ms | %.2f ms |", name, perSecond, delivered.sum(),
                total, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }

    private static Hub node(TestRedis redis, Settings settings, EngineFixture fixture, List<RedisCluster> clusters) {
        dev.switchboard.cluster.Redis link = redis.link("bench");
        RedisCluster cluster = new RedisCluster(link);
        clusters.add(cluster);
        Hub hub = new Hub(settings, fixture.writers, fixture.timers, fixture.background, e -> { }, List.of(),
                (caller, action, room) -> true, cluster, new RedisLogStore(link), Tracing.OFF, fixture.background,
                Telemetry.NONE);
        cluster.start(hub.listener(fixture.timers, fixture.background), Thread::new, fixture.timers);
        return hub;
    }

    /** A member's transport: each message's latency from its publish call (its data: the publisher's nanoTime), in µs. */
    private record Timing(Recorder latency, LongAdder delivered) implements Transport {
        @Override
        public void sendText(String text, Consumer<Throwable> done) {
            int at = text.indexOf("\"data\":");
            if (text.startsWith("{\"type\":\"message\"") && at >= 0) {
                int from = at + 7;
                int to = from;
                while (to < text.length() && Character.isDigit(text.charAt(to))) {
                    to++;
                }
                latency.recordValue(Math.max(0, (System.nanoTime() - Long.parseLong(text.substring(from, to))) / 1000));
                delivered.increment();
            }
            done.accept(null);
        }

        @Override
        public void sendBinary(ByteBuffer data, Consumer<Throwable> done) {
            done.accept(null);
        }

        @Override
        public void ping(ByteBuffer payload) {
        }

        @Override
        public void close(int code, String reason) {
        }
    }
}
