package dev.switchboard.engine;

import dev.switchboard.telemetry.NodeMetrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.CloseCodes;
import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.SlowConsumerPolicy;
import dev.switchboard.security.Caller;
import jakarta.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's promises about writing to a connection: one writer at a time for every call on the transport, the close
 * frame included; a verdict of the sweep ends the connection within that sweep even when its send is stuck.
 */
class WriterInvariantsTest {

    private final EngineFixture fixture = new EngineFixture();

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void aSlowConsumerCloseDuringASendCallWaitsForTheWriter() throws Exception {
        // the container is inside sendText (writing to the socket) when the queue overflows on another thread
        CountDownLatch release = new CountDownLatch(1);
        TestTransport transport = TestTransport.holdingCalls(release);
        Outbox outbox = new Outbox(transport, fixture.writers, 3, 1 << 20, QueueBudget.unbounded(), Telemetry.NONE, () -> { }, null);
        assertTrue(outbox.offer("first"));
        assertTrue(transport.sendEntered.await(5, TimeUnit.SECONDS), "the writer is inside the send call");
        for (int i = 0; i < 10; i++) {
            outbox.offer("more " + i); // the fourth overflows: 4008
        }
        assertTrue(outbox.isClosing());
        // before the single-writer fix the close ran on another pool thread at once, inside the send call
        assertFalse(closedWithin(transport, Duration.ofMillis(200)), "no close while the writer is inside a send");
        release.countDown();
        assertEquals(CloseCodes.SLOW_CONSUMER, transport.closedWith.get(5, TimeUnit.SECONDS));
        assertEquals(0, transport.concurrentCalls.get(), "no call on the transport overlapped another");
        EngineFixture.within(Duration.ofSeconds(5), () -> outbox.queued() == 0, outbox::queued);
        assertEquals(0, transport.afterClose.get(), "nothing written after the close");
        assertEquals(0, transport.heldTooLong.get());
    }

    @Test
    void thePeerClosingDiscardsTheQueueOnTheWriterAndNothingIsWrittenAfter() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TestTransport transport = TestTransport.holdingCalls(release);
        Outbox outbox = new Outbox(transport, fixture.writers, 100, 1 << 20, QueueBudget.unbounded(), Telemetry.NONE, () -> { }, null);
        outbox.offer("first");
        assertTrue(transport.sendEntered.await(5, TimeUnit.SECONDS));
        for (int i = 0; i < 50; i++) {
            outbox.offer("queued " + i);
        }
        outbox.peerClosed();
        assertFalse(outbox.offer("late"), "nothing is queued once the peer closed");
        release.countDown();
        EngineFixture.within(Duration.ofSeconds(5), () -> outbox.queued() == 0 && outbox.isFinished(), outbox::queued);
        assertEquals(1, transport.frames.size(), "only the send that was under way: " + transport.frames.size());
        assertFalse(transport.closedWith.isDone(), "the peer closed: no close frame of ours");
        assertEquals(0, transport.concurrentCalls.get());
        assertEquals(0, transport.heldTooLong.get());
    }

    @Test
    void manyPublishersAndCloseVerdictsNeverOverlapOnTheTransport() throws Exception {
        for (int round = 0; round < 20; round++) {
            TestTransport transport = TestTransport.async(fixture.completer);
            Outbox outbox = new Outbox(transport, fixture.writers, 10_000, 1 << 20, QueueBudget.unbounded(), Telemetry.NONE, () -> { }, null);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                Thread thread = new Thread(() -> {
                    try {
                        if (!go.await(5, TimeUnit.SECONDS)) {
                            return; // the assertions below fail: nothing was published
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 200; i++) {
                        outbox.offer("t" + id + " " + i);
                        if (i % 50 == 0) {
                            outbox.ping(java.nio.ByteBuffer.allocate(8));
                        }
                    }
                });
                thread.start();
                threads.add(thread);
            }
            go.countDown();
            outbox.terminate(CloseCodes.GOING_AWAY, "verdict while publishers write");
            for (Thread t : threads) {
                t.join(5000);
            }
            assertEquals(CloseCodes.GOING_AWAY, transport.closedWith.get(5, TimeUnit.SECONDS));
            assertEquals(0, transport.concurrentCalls.get(), "round " + round);
            EngineFixture.within(Duration.ofSeconds(5), () -> outbox.queued() == 0, outbox::queued);
            assertEquals(0, transport.afterClose.get(), "round " + round);
        }
    }

    @Test
    void aSweepVerdictEndsAConnectionWhoseGracefulCloseWaitsBehindAStuckSend() throws Exception {
        NodeMetrics metrics = new NodeMetrics();
        Hub hub = new Hub(EngineFixture.settings().sendTimeout(Duration.ofMillis(100)).build(), fixture.writers,
                fixture.timers, e -> { }, List.of(), metrics);
        TestTransport stuck = TestTransport.stalled();
        Connection c = hub.open(stuck, "reader", "/ws", false);
        hub.join(c, "j", "room", null, null); // 'joined' is sent and never completes
        c.close(CloseCodes.RATE_LIMITED, "rate limit exceeded repeatedly"); // queued behind the stuck send
        assertTrue(c.isClosing());
        EngineFixture.within(Duration.ofSeconds(2), () -> c.outbox.sends().startedNanos() != 0
                && System.nanoTime() - c.outbox.sends().startedNanos() > 150_000_000L,
                () -> "send not old enough");
        hub.sweep();
        // before the fix the sweep skipped connections already closing: the close waited for the send forever
        assertEquals(CloseCodes.SLOW_CONSUMER, stuck.closedWith.get(1, TimeUnit.SECONDS));
        assertEquals(1, metrics.counters().slowConsumerCloses());
    }

    @Test
    void aHeartbeatVerdictDoesNotQueueBehindAStuckSend() throws Exception {
        Hub hub = new Hub(EngineFixture.settings().heartbeat(Duration.ofMillis(100)).sendTimeout(Duration.ZERO).build(),
                fixture.writers, fixture.timers, e -> { }, List.of());
        TestTransport stuck = TestTransport.stalled();
        Connection c = hub.open(stuck, "gone", "/ws", false);
        hub.join(c, "j", "room", null, null); // never completes: the peer vanished mid-send
        // the heartbeat's ping is requested; nothing answers it; two intervals later the verdict is 4000
        EngineFixture.within(Duration.ofSeconds(5), () -> c.pingOutstandingSince() != 0, () -> "no ping requested");
        EngineFixture.within(Duration.ofSeconds(5), () -> System.nanoTime() - c.pingOutstandingSince() > 250_000_000L,
                () -> "ping not old enough");
        hub.sweep();
        // before the fix the 4000 close was queued behind the stuck send and never went out
        assertEquals(CloseCodes.HEARTBEAT_TIMEOUT, stuck.closedWith.get(1, TimeUnit.SECONDS));
        assertEquals(0, stuck.concurrentCalls.get());
    }

    @Test
    void expiredCredentialsEndAConnectionWhoseSendIsStuck() throws Exception {
        Hub hub = new Hub(EngineFixture.settings().sendTimeout(Duration.ZERO).build(), fixture.writers, fixture.timers,
                e -> { }, List.of());
        TestTransport stuck = TestTransport.stalled();
        Caller expiring = new Caller("temp", Set.of(), false, java.time.Instant.now().plusMillis(150));
        Connection c = hub.sessions().open(stuck, expiring, "/ws", false, null); // 'welcome' never completes
        EngineFixture.within(Duration.ofSeconds(2), () -> java.time.Instant.now().isAfter(expiring.expiresAt()), () -> "");
        hub.sweep();
        assertEquals(CloseCodes.CREDENTIALS_EXPIRED, stuck.closedWith.get(1, TimeUnit.SECONDS));
        assertFalse(c.outbox.offer("after"), "nothing is queued after the verdict");
    }

    private static boolean closedWithin(TestTransport transport, Duration wait) throws Exception {
        try {
            transport.closedWith.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    static RoomPolicy policy() {
        return new RoomPolicy(50, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0);
    }

    static jakarta.json.JsonValue value(int i) {
        return Json.createValue(i);
    }
}
