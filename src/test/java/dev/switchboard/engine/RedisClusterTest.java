package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.security.Caller;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis engine against a real redis-server (its own, on a free loopback port, no persistence): offsets assigned
 * by Redis, history ranges, and what members see when Redis loses a room's stream — a new epoch and
 * {@code joined} with {@code recovered: false} before the next message, never a silent gap.
 */
class RedisClusterTest {

    private static Process redis;
    private static int port;
    private static RedisCluster cluster;
    private static final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private static final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private static final RoomPolicy POLICY = new RoomPolicy(100, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0);

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException e) {
                assertTrue(System.nanoTime() < deadline, "redis-server did not start within 10 s");
                TimeUnit.MILLISECONDS.sleep(20); // bounded poll for a starting process
            }
        }
        cluster = new RedisCluster(new RedisCluster.Config("redis://127.0.0.1:" + port, "test", Duration.ofSeconds(1),
                Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofHours(1)));
        cluster.start(new Cluster.Node() {
            @Override
            public void publication(String room, String epoch, long offset, String payload) {
                Room r = rooms.get(room);
                if (r != null) {
                    r.deliver(epoch, offset, payload, System.currentTimeMillis());
                }
            }

            @Override
            public void reset(String room, String epoch, long offset) {
                Room r = rooms.get(room);
                if (r != null) {
                    r.reset(epoch, offset);
                }
            }

            @Override
            public void presenceChanged(String room) {
            }

            @Override
            public void direct(String user, String frame) {
            }

            @Override
            public void disconnect(String user, int code, String reason) {
            }

            @Override
            public void resynchronize() {
                rooms.values().forEach(r -> r.resynchronize(System.currentTimeMillis()));
            }

            @Override
            public void nodesChanged() {
            }
        }, Thread::new, timers);
        awaitTrue(cluster::reachable, "the engine connects");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.stop();
        }
        timers.shutdownNow();
        if (redis != null) {
            redis.destroyForcibly();
        }
    }

    @Test
    void offsetsComeFromRedisOneByOneAndTheLogHoldsThem() throws Exception {
        Cluster.Position first = cluster.append("ledger", POLICY, "{\"ts\":1,\"data\":1}");
        Cluster.Position second = cluster.append("ledger", POLICY, "{\"ts\":2,\"data\":2}");
        assertEquals(1, first.offset());
        assertEquals(2, second.offset());
        assertEquals(first.epoch(), second.epoch());
        assertEquals(second, cluster.position("ledger"));
        List<Cluster.Entry> entries = cluster.range("ledger", POLICY, 0, 2).orElseThrow();
        assertEquals(List.of(1L, 2L), entries.stream().map(Cluster.Entry::offset).toList());
        assertTrue(cluster.range("ledger", POLICY, 0, 3).isEmpty(), "not all held (offset 3 was never published)");
    }

    @Test
    void whenRedisLosesTheStreamMembersAreToldBeforeTheNextMessage() throws Exception {
        Room room = new Room("lost", new InMemoryHistory(100, Duration.ofMinutes(5)), SlowConsumerPolicy.DISCONNECT, 0,
                timers, Duration.ZERO, cluster, POLICY);
        rooms.put("lost", room);
        TestTransport transport = TestTransport.inline();
        Connection member = new Connection("m1", new Caller("ann", Set.of(), false, null), "/ws", transport,
                Runnable::run, 1000, 1 << 20, c -> { });
        room.join(member, "j", null, null, System.currentTimeMillis());
        assertEquals(1, room.publish("ann", Json.createValue("before"), System.currentTimeMillis()).offset());
        awaitTrue(() -> count(transport, "message") == 1, "the publication comes back through Redis");
        String epoch = last(transport, "message").getString("epoch");

        try (RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
             StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().flushall(); // Redis restarted without persistence: every stream is gone
        }
        room.publish("ann", Json.createValue("after"), System.currentTimeMillis());
        awaitTrue(() -> count(transport, "message") == 2, "the next publication arrives");

        List<JsonObject> frames = transport.texts().stream().map(RedisClusterTest::json).toList();
        int reset = -1;
        for (int i = 0; i < frames.size(); i++) {
            if ("joined".equals(frames.get(i).getString("type")) && !frames.get(i).containsKey("re")) {
                reset = i;
            }
        }
        assertTrue(reset >= 0, "members are told: " + frames);
        assertFalse(frames.get(reset).getBoolean("recovered"));
        JsonObject after = last(transport, "message");
        assertTrue(frames.indexOf(after) > reset, "before the message of the new epoch");
        assertNotEquals(epoch, after.getString("epoch"), "a lost stream means a new epoch");
        assertEquals(after.getString("epoch"), frames.get(reset).getString("epoch"));
        assertEquals(1, after.getJsonNumber("offset").longValue());
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static long count(TestTransport t, String type) {
        return t.texts().stream().filter(s -> s.contains("\"type\":\"" + type + "\"")).count();
    }

    private static JsonObject last(TestTransport t, String type) {
        List<JsonObject> all = t.texts().stream().map(RedisClusterTest::json).filter(j -> type.equals(j.getString("type"))).toList();
        return all.get(all.size() - 1);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within 10 s");
            TimeUnit.MILLISECONDS.sleep(10); // bounded poll; the assertion above ends it
        }
    }
}
