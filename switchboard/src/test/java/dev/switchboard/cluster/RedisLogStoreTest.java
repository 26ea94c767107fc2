package dev.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The log store contract on a real redis-server (a Redis Cluster: {@link ShardedLogStoreTest}); and the scripts, run
 * by SHA, survive Redis forgetting them. One instance for all tests (rooms are never shared between tests).
 */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class RedisLogStoreTest extends LogStoreContract {

    private final AtomicInteger rooms = new AtomicInteger();
    private TestRedis server;
    private RedisCluster cluster;
    private RedisLogStore store;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    TestRedis startRedis() throws Exception {
        return new RedisServer();
    }

    @BeforeAll
    void start() throws Exception {
        LogStoreContract current = this;
        server = startRedis();
        Redis redis = server.link("contract");
        cluster = new RedisCluster(redis);
        store = new RedisLogStore(redis);
        cluster.start(new QuietListener() { // to whichever test instance runs now
            @Override
            public void publication(String room, String epoch, long offset, String payload) {
                current.listener.publication(room, epoch, offset, payload);
            }

            @Override
            public void reset(String room, String epoch, long offset) {
                current.listener.reset(room, epoch, offset);
            }
        }, Thread::new, timers);
        within(cluster::reachable);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.stop();
        }
        timers.shutdownNow();
        if (server != null) {
            server.close();
        }
    }

    @Override
    LogStore store() {
        return store;
    }

    /** A new room, followed by this node (its events reach it only then), as a node's room is. */
    @Override
    String room(String name) {
        String room = name + "-" + rooms.incrementAndGet();
        cluster.follow(room);
        try {
            cluster.awaitFollowing(room);
        } catch (StoreUnavailable e) {
            throw new AssertionError(e);
        }
        return room;
    }

    @Test
    void scriptsRunBySha1AreLoadedAgainWhenRedisForgetsThem() throws Exception {
        String room = room("flushed");
        assertEquals(1, store.append(room, POLICY, "{\"data\":1}").offset());
        server.flushScripts(); // as after a restart: EVALSHA now answers NOSCRIPT
        assertEquals(2, store.append(room, POLICY, "{\"data\":2}").offset());
    }
}
