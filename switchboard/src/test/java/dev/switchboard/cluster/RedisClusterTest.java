package dev.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The engine's contract with Redis on one redis-server ({@code switchboard.redis.url}). */
class RedisClusterTest extends RedisEngineContract {

    @Override
    TestRedis startRedis() throws Exception {
        return new RedisServer();
    }

    /**
     * A heartbeat answered after its timeout on an open link — a node under a reconnect storm, or a Redis paused for
     * a moment (here {@code CLIENT PAUSE} 1.5 s against a 1 s timeout: exactly one beat fails) — is not an outage:
     * the node stays reachable and does not resynchronize every room; a second failed beat in a row would be one.
     */
    @Test
    void oneHeartbeatAnsweredLateIsNotAnOutage() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        RedisCluster node = new RedisCluster(new Redis(new Redis.Config(((RedisServer) server).url(), "paused",
                Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofHours(1))));
        try {
            node.start(new QuietListener() {
                @Override
                public void resynchronize() {
                    heard.add("Y");
                }
            }, Thread::new, timer);
            within(() -> heard.size() >= 2); // the start's catch-up and its second pass
            heard.clear();
            server.command("", c -> c.clientPause(1500));
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2600); // the pause, and the beat after it
            while (System.nanoTime() < until) {
                assertTrue(node.reachable(), "one late heartbeat taken for an outage");
                TimeUnit.MILLISECONDS.sleep(10);
            }
            assertEquals(List.of(), heard, "resynchronized every room after one late heartbeat");
        } finally {
            node.stop();
            timer.shutdownNow();
        }
    }
}
