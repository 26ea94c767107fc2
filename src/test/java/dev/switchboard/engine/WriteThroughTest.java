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
 * Write-through (issue 12): what a container thread causes while handling a peer's message — the reply, the fan-out
 * of a publication — is sent on that thread to connections whose writer is idle, after every lock is let go, and
 * handed to nobody; connections with a send in flight keep their own writer, and the publisher is never held up by
 * them.
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
        hub.dispatch(connection, new ClientMessage.Join("j", room, null));
        assertTrue(connection.rooms.contains(room));
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
    void aBroadcastWritesIdleMembersOnThePublishersThreadOutsideTheLockAndLeavesBusyOnesToTheirWriter() {
        Hub hub = hub();
        List<TestTransport> idle = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            TestTransport t = TestTransport.inline();
            join(hub, hub.open(t, "m" + i, "/ws", false), "lobby");
            idle.add(t);
        }
        TestTransport stuck = TestTransport.stalled(); // its first send never completes: its writer stays busy
        Connection slow = hub.open(stuck, "slow", "/ws", false);
        join(hub, slow, "lobby");
        TestTransport publisherSocket = TestTransport.inline();
        Connection publisher = hub.open(publisherSocket, "pub", "/ws", false);
        join(hub, publisher, "lobby");
        Room room = hub.room("lobby");
        for (TestTransport t : idle) {
            t.forbidden = room::isLockedByCurrentThread;
            t.sendThreads.clear();
            t.frames.clear();
        }
        int slowQueued = slow.outbox.queued();
        int before = handedToPool.get();

        hub.dispatch(publisher, new ClientMessage.Publish("a1", "lobby", Json.createValue("hello")));

        for (TestTransport t : idle) { // every idle member has it now, sent by this thread, never under the room's lock
            assertEquals(1, t.texts().size(), t.texts()::toString);
            assertTrue(t.texts().get(0).contains("hello"));
            assertEquals(Set.of(Thread.currentThread()), t.sendThreads);
            assertEquals(0, t.sentWhileForbidden.get(), "sent while the room's lock was held");
        }
        assertEquals(before, handedToPool.get(), "nothing was handed to the writer pool");
        // the busy member's writer is still in its first send: the publication waits in its queue; the publisher did not
        assertEquals(1, stuck.frames.size());
        assertEquals(slowQueued + 1, slow.outbox.queued());
        assertTrue(anyContains(publisherSocket, "\"ack\""), publisherSocket.texts()::toString);
    }

    @Test
    void aBatchingMembersPublicationsGoToItsWriterOnThePoolSoThatTheyCanShareAFrame() throws Exception {
        Hub hub = hub();
        TestTransport batching = TestTransport.inline();
        Connection member = hub.open(batching, "b", "/ws", false);
        member.outbox.batching(true);
        join(hub, member, "lobby");
        TestTransport publisherSocket = TestTransport.inline();
        Connection publisher = hub.open(publisherSocket, "pub", "/ws", false);
        join(hub, publisher, "lobby");
        EngineFixture.within(Duration.ofSeconds(5), () -> member.outbox.queued() == 0, batching::texts);
        batching.sendThreads.clear();
        publisherSocket.sendThreads.clear();
        int before = handedToPool.get();

        hub.dispatch(publisher, new ClientMessage.Publish("a1", "lobby", Json.createValue("hello")));

        EngineFixture.within(Duration.ofSeconds(5), () -> anyContains(batching, "hello"), batching::texts);
        assertFalse(batching.sendThreads.contains(Thread.currentThread()), "not written through");
        assertTrue(handedToPool.get() > before, "its writer ran on the pool");
        // the publisher's own ack is a reply: written through
        assertEquals(Set.of(Thread.currentThread()), publisherSocket.sendThreads);
    }

    @Test
    void aWriterThatCallsBackIntoTheEngineGetsABracketOfItsOwnAndEveryWriterRunsOnce() {
        // Undertow runs @OnClose inline in session.close(): a writer's call on the transport may re-enter the engine,
        // which opens a bracket while the outer one is running its writers
        TestTransport a = TestTransport.inline();
        TestTransport b = TestTransport.inline();
        TestTransport d = TestTransport.inline();
        Outbox outboxA = new Outbox(a, countingWriters, 100, 1 << 20, new Metrics(), () -> { });
        Outbox outboxB = new Outbox(b, countingWriters, 100, 1 << 20, new Metrics(), () -> { });
        Outbox outboxD = new Outbox(d, countingWriters, 100, 1 << 20, new Metrics(), () -> { });
        a.duringSend = () -> {
            a.duringSend = null;
            boolean outer = WriteThrough.begin();
            assertTrue(outer, "the running bracket is closed: this one is new");
            outboxB.offer("b");
            WriteThrough.end();
            // still inside A's send: A's writer role is this thread's, so this waits for it (no second writer)
            outboxA.offer("a2");
        };
        assertTrue(WriteThrough.begin());
        outboxA.offer("a");
        outboxD.offer("d");
        WriteThrough.end();

        assertEquals(List.of("a", "a2"), a.texts());
        assertEquals(List.of("b"), b.texts());
        assertEquals(List.of("d"), d.texts());
        for (TestTransport t : List.of(a, b, d)) {
            assertEquals(0, t.overlapping.get());
            assertEquals(0, t.concurrentCalls.get(), "a writer ran inside its own send");
            assertEquals(Set.of(Thread.currentThread()), t.sendThreads);
        }
        assertEquals(0, handedToPool.get());
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
