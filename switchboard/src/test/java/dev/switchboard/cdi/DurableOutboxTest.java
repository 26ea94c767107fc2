package dev.switchboard.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardEvent;
import dev.switchboard.cluster.LocalCluster;
import dev.switchboard.cluster.MemoryLogStore;
import dev.switchboard.config.Settings;
import dev.switchboard.engine.Hub;
import dev.switchboard.engine.RoomRules;
import dev.switchboard.engine.Tracing;
import dev.switchboard.engine.WriterPool;
import dev.switchboard.telemetry.NodeMetrics;
import jakarta.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The durable outbox on a real database (H2, the default datasource of Payara Micro and WildFly) and a real engine:
 * two outboxes on one table are two nodes. What a node wrote and could not publish (it died after the commit) is
 * published by the other, once; what it published before dying is not published again (its key); a sweep that
 * cannot publish keeps the row. The transaction itself is the container's (HelpdeskIT, OutboxIT).
 */
class DurableOutboxTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final JdbcDataSource dataSource = new JdbcDataSource();
    private final List<String> delivered = new CopyOnWriteArrayList<>();
    private final WriterPool pool = new WriterPool(Settings.defaults(), Thread::new);
    private final Hub hub = new Hub(Settings.defaults(), pool, event -> {
        if (event instanceof SwitchboardEvent.MessagePublished p) {
            delivered.add(p.room() + " " + p.data()); // a publication members get: a duplicate key fires nothing
        }
    }, List.of(), (caller, action, room) -> true, RoomRules.NONE, new LocalCluster(), new MemoryLogStore(),
            credential -> Optional.empty(), Tracing.OFF, new NodeMetrics());
    private final OutboxTable table;
    /** Long polls: the tests sweep themselves. */
    private final DurableOutbox nodeA;
    private final DurableOutbox nodeB;

    DurableOutboxTest() throws Exception {
        dataSource.setURL("jdbc:h2:mem:outbox" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
        table = new OutboxTable(dataSource, "switchboard_outbox");
        table.create();
        table.create(); // a second node starting finds it there
        nodeA = new DurableOutbox(table, hub, "a", Duration.ofMillis(200), Duration.ofHours(1), Thread::new);
        nodeB = new DurableOutbox(table, hub, "b", Duration.ofMillis(200), Duration.ofHours(1), Thread::new);
    }

    @AfterEach
    void stop() {
        nodeA.stop();
        nodeB.stop();
        hub.shutdown();
        pool.stop();
    }

    /** Waits, bounded, until {@code rows} wait in the table. */
    private void awaitWaiting(int rows) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (table.size() != rows && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(rows, table.size(), "rows waiting in the outbox");
    }

    /** Waits, bounded, until the grace of the rows written so far has passed (their commit is that old). */
    private static void pastTheGrace(long writtenMillis) {
        long until = writtenMillis + 250;
        while (System.currentTimeMillis() < until) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aPublicationTheCommittingNodeDeliveredIsRemovedAndNotSweptAgain() throws Exception {
        String row = nodeA.write("desk", Json.createValue(1), null, null);
        long written = System.currentTimeMillis();
        hub.publish("desk", Json.createValue(1), DurableOutbox.keyOf(row, null)); // after the commit, as AfterCommit does
        nodeA.delivered(List.of(row));
        awaitWaiting(0);
        pastTheGrace(written);
        assertEquals(0, nodeB.sweep());
        assertEquals(List.of("desk 1"), delivered);
    }

    @Test
    void aPublicationWhoseNodeDiedAfterTheCommitIsPublishedOnceByAnother() throws Exception {
        nodeA.write("desk", Json.createValue(1), null, null); // committed; node A dies before it publishes
        nodeA.write("desk", Json.createValue(2), null, "retry-7");
        long written = System.currentTimeMillis();
        assertEquals(0, nodeB.sweep(), "not within the grace: the committing node may still be at it");
        pastTheGrace(written);
        assertEquals(2, nodeB.sweep());
        assertEquals(List.of("desk 1", "desk 2"), delivered, "in the order they were committed");
        assertEquals(0, table.size());
        assertEquals(0, nodeA.sweep());
        assertEquals(2, delivered.size());
    }

    @Test
    void aPublicationThatWentOutBeforeItsNodeDiedIsNotPublishedAgain() throws Exception {
        String row = nodeA.write("desk", Json.createValue(1), null, null);
        long written = System.currentTimeMillis();
        hub.publish("desk", Json.createValue(1), DurableOutbox.keyOf(row, null)); // published; died before the removal
        pastTheGrace(written);
        assertEquals(1, nodeB.sweep(), "swept: its row was still there");
        assertEquals(List.of("desk 1"), delivered, "but its key made the second publish a duplicate: members got it once");
    }

    @Test
    void twoNodesSweepingAtOnceClaimEachRowOnce() throws Exception {
        for (int i = 0; i < 50; i++) {
            nodeA.write("desk", Json.createValue(i), null, null);
        }
        long written = System.currentTimeMillis();
        pastTheGrace(written);
        CountDownLatch go = new CountDownLatch(1);
        int[] swept = new int[2];
        Thread a = new Thread(() -> swept[0] = sweepAfter(go, nodeA));
        Thread b = new Thread(() -> swept[1] = sweepAfter(go, nodeB));
        a.start();
        b.start();
        go.countDown();
        a.join(10_000);
        b.join(10_000);
        assertFalse(a.isAlive() || b.isAlive(), "sweeps finished");
        assertEquals(50, swept[0] + swept[1], "each row by one node: " + swept[0] + " + " + swept[1]);
        assertEquals(50, delivered.size());
        assertEquals(0, table.size());
    }

    private static int sweepAfter(CountDownLatch go, DurableOutbox outbox) {
        try {
            if (!go.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the sweeps were never started together");
            }
            return outbox.sweep();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRowThatCannotBePublishedStaysClaimedForTheGraceThenIsTriedAgain() throws Exception {
        hub.shutdown(); // refuses every publish from now on, as a node going down does
        nodeA.write("desk", Json.createValue(1), null, null);
        long written = System.currentTimeMillis();
        pastTheGrace(written);
        assertEquals(0, nodeB.sweep());
        assertEquals(1, table.size(), "kept");
        assertEquals(0, nodeA.sweep(), "claimed by B within the grace: A leaves it");
        assertTrue(delivered.isEmpty());
    }

    @Test
    void aTableNameIsATableNameAndNothingElse() {
        assertThrows(IllegalArgumentException.class, () -> new OutboxTable(dataSource, "outbox; DROP TABLE orders"));
        assertThrows(IllegalArgumentException.class, () -> new OutboxTable(dataSource, "a.b.c"));
        assertEquals("app.switchboard_outbox", new OutboxTable(dataSource, "app.switchboard_outbox").name());
    }
}
