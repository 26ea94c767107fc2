package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A connection's own list of rooms: copy-on-write, written by several rooms' locks at once. */
class ConnectionRoomsTest {

    private static Connection connection() {
        return new Connection("c1", null, "/ws", null, null);
    }

    @Test
    void joinsAndLeavesInAnyOrderWithoutDuplicates() {
        Connection c = connection();
        assertEquals(List.of(), c.rooms());
        c.joined("a");
        c.joined("b");
        c.joined("a");
        c.joined("c");
        assertEquals(List.of("a", "b", "c"), c.rooms());
        assertEquals(3, c.roomCount());
        c.left("b");
        c.left("zz");
        assertEquals(List.of("a", "c"), c.rooms());
        assertTrue(c.inRoom("c"));
        assertFalse(c.inRoom("b"));
        c.left("a");
        c.left("c");
        assertEquals(0, c.roomCount());
    }

    @Test
    void roomsWrittenFromManyThreadsAtOnceLoseNoJoinAndNoLeave() throws Exception {
        Connection c = connection();
        int threads = 4;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                done.add(pool.submit(() -> {
                    assertTrue(start.await(10, TimeUnit.SECONDS), "the start signal");
                    for (int i = 0; i < perThread; i++) {
                        c.joined("r" + me + "-" + i);
                    }
                    for (int i = 0; i < perThread; i += 2) { // each thread leaves its even rooms
                        c.left("r" + me + "-" + i);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> expected = new HashSet<>();
        for (int t = 0; t < threads; t++) {
            for (int i = 1; i < perThread; i += 2) {
                expected.add("r" + t + "-" + i);
            }
        }
        assertEquals(expected, new HashSet<>(c.rooms()));
        assertEquals(expected.size(), c.roomCount());
    }
}
