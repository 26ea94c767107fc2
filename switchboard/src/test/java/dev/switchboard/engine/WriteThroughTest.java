package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.protocol.ClientMessage;
import jakarta.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Write-through (issue 12): the answer to the peer a container thread is serving is sent on that thread when the
 * connection's writer is idle, after every lock is let go, and handed to nobody; what the handling queues for other
 * connections (a publication's fan-out) goes to their writers, never sent under a room's lock, and a member with a
 * send in flight never holds up the publisher.
 */
class WriteThroughTest {

    private final EngineFixture fixture = new EngineFixture();
    /** Writer-pool tasks started, on top of the fixture's pool. */
    private final AtomicInteger handedToPool = new AtomicInteger();
    private final Executor countingWriters = task -> {
        handedToPool.incrementAndGet();
        fixture.writers.execute(task);
    };

    @AfterEach
    void stop() {
        fixture.close();
    }

    private Hub hub() {
        return new Hub(HubTest.settings(1000, Duration.ZERO, Duration.ZERO), countingWriters, fixture.timers,
                e -> { }, List.of());
    }

    /** Joins through the protocol, as a client does: what the join causes is written through before this returns. */
    private static void join(Hub hub, Connection connection, String room) {
        hub.dispatch(connection, new ClientMessage.Join("j", room, null, null, null));
        assertTrue(connection.inRoom(room));
    }

    private static boolean anyContains(TestTransport t, String text) {
        return t.texts().stream().anyMatch(f -> f.contains(text));
    }

    @Test
    void aReplyToAnIdleConnectionIsSentOnTheReceivingThreadBeforeTheCallReturns() {
        Hub hub = hub();
        TestTransport transport = TestTransport.inline();
        Connection connection = hub.open(transport, "u", "/ws", true);
        assertTrue(anyContains(transport, "\"welcome\""), "the welcome is written through as well");
        int before = handedToPool.get();
        hub.dispatch(connection, new ClientMessage.Ping("p1"));
        // no wait: the pong was sent before dispatch returned, on this thread
        assertEquals(2, transport.texts().size(), transport.texts()::toString);
        assertTrue(transport.texts().get(1).contains("\"pong\""), transport.texts()::toString);
        assertEquals(Set.of(Thread.currentThread()), transport.sendThreads, "sent on the receiving thread");
        assertEquals(before, handedToPool.get(), "no writer task was handed to the pool");
        assertEquals(0, transport.overlapping.get());
    }

    @Test
    void aPublicationGoesToTheMembersWritersWhileThePublishersAckIsWrittenThrough() throws Exception {
        Hub hub = hub();
        List<Connection> members = new ArrayList<>();
        List<TestTransport> idle = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            TestTransport t = TestTransport.inline();
            Connection c = hub.open(t, "m" + i, "/ws", false);
            join(hub, c, "lobby");
            members.add(c);
            idle.add(t);
        }
        TestTransport stuck = TestTransport.stalled(); // its first send never completes: its writer stays busy
        Connection slow = hub.open(stuck, "slow", "/ws", false);
        join(hub, slow, "lobby");
        TestTransport publisherSocket = TestTransport.inline();
        Connection publisher = hub.open(publisherSocket, "pub", "/ws", false);
        join(hub, publisher, "lobby");
        // the presence of the later joins reaches the earlier members through their writers: let it settle
        EngineFixture.within(Duration.ofSeconds(5), () -> members.stream().allMatch(c -> c.outbox.isIdle()),
                () -> members.stream().map(c -> c.outbox.queued()).toList());
        Room room = hub.room("lobby");
        for (TestTransport t : idle) {
            t.forbidden = room::isLockedByCurrentThread;
            t.sendThreads.clear();
        }
        publisherSocket.sendThreads.clear();
        int slowQueued = slow.outbox.queued();
        int before = handedToPool.get();

        hub.dispatch(publisher, new ClientMessage.Publish("a1", "lobby", Json.createValue("hello")));

        // the ack went out before dispatch returned, on this thread
        assertTrue(anyContains(publisherSocket, "\"ack\""), publisherSocket.texts()::toString);
        assertEquals(Set.of(Thread.currentThread()), publisherSocket.sendThreads);
        // the members' copies went to their writers on the pool, never sent under the room's lock
        EngineFixture.within(Duration.ofSeconds(5), () -> idle.stream().allMatch(t -> anyContains(t, "hello")),
                () -> idle.stream().filter(t -> !anyContains(t, "hello")).count());
        for (TestTransport t : idle) {
            assertEquals(1, t.texts().stream().filter(f -> f.contains("hello")).count());
            assertFalse(t.sendThreads.contains(Thread.currentThread()));
            assertEquals(0, t.sentWhileForbidden.get(), "sent while the room's lock was held");
        }
        assertTrue(handedToPool.get() - before >= 50, "each member's writer was started on the pool");
        // the busy member's writer is still in its first send: the publication waits in its queue; the publisher did not
        assertEquals(1, stuck.frames.size());
        assertEquals(slowQueued + 1, slow.outbox.queued());
    }

    @Test
    void aWriterThatCallsBackIntoTheEngineGetsABracketOfItsOwn() throws Exception {
        // Undertow runs @OnClose inline in session.close(): a writer's call on the transport may re-enter the engine,
        // which opens a bracket while the outer one is running its writer
        TestTransport a = TestTransport.inline();
        TestTransport b = TestTransport.inline();
        TestTransport d = TestTransport.inline();
        Outbox outboxA = new Outbox(a, countingWriters, 100, 1 << 20, QueueBudget.unbounded(), Telemetry.NONE, () -> { }, null);
        Outbox outboxB = new Outbox(b, countingWriters, 100, 1 << 20, QueueBudget.unbounded(), Telemetry.NONE, () -> { }, null);
        Outbox outboxD = new Outbox(d, countingWriters, 100, 1 << 20, QueueBudget.unbounded(), Telemetry.NONE, () -> { }, null);
        a.duringSend = () -> {
            a.duringSend = null;
            boolean outer = WriteThrough.begin();
            assertTrue(outer, "the running bracket is closed: this one is new");
            WriteThrough.own(outboxB);
            outboxB.offer("b");
            WriteThrough.end();
            // still inside A's send: A's writer role is this thread's, so this waits for it (no second writer)
            outboxA.offer("a2");
        };
        assertTrue(WriteThrough.begin());
        WriteThrough.own(outboxA);
        outboxA.offer("a");
        outboxD.offer("d"); // not the connection this bracket serves: its writer goes to the pool
        WriteThrough.end();

        assertEquals(List.of("a", "a2"), a.texts());
        assertEquals(List.of("b"), b.texts());
        EngineFixture.within(Duration.ofSeconds(5), () -> d.texts().size() == 1, d::texts);
        for (TestTransport t : List.of(a, b)) {
            assertEquals(0, t.overlapping.get());
            assertEquals(0, t.concurrentCalls.get(), "a writer ran inside its own send");
            assertEquals(Set.of(Thread.currentThread()), t.sendThreads);
        }
        assertEquals(1, handedToPool.get(), "only D's writer went to the pool");
    }

    @Test
    void theApplicationsPublishApiNeverSendsOnTheCallersThread() throws Exception {
        Hub hub = hub();
        TestTransport t = TestTransport.inline();
        Connection c = hub.open(t, "m", "/ws", false);
        join(hub, c, "news");
        t.sendThreads.clear();
        hub.publish("news", Json.createValue("from the application"));
        EngineFixture.within(Duration.ofSeconds(5), () -> anyContains(t, "from the application"), t::texts);
        assertFalse(t.sendThreads.contains(Thread.currentThread()), "the publish API queues; the writer pool sends");
    }
}
