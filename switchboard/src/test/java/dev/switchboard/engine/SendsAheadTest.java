package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.CloseCodes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * On a transport that takes sends ahead (Undertow): the messages queued behind a send go to the container frame after
 * frame without waiting, one message per frame, in order, at most {@link NextSend#MAX_AHEAD} before the writer waits
 * for the last; the connection is drained only when the last completed; a failed send handed ahead ends the connection
 * with 4008 like any failed send.
 */
class SendsAheadTest {

    /** Completions held until released, in order, as Undertow completes a connection's frames. */
    private final ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();
    private final TestTransport transport = TestTransport.takingSendsAhead(completions::add);
    private final Connection connection = EngineFixture.connection(transport, Runnable::run, false);

    private void releaseAll() {
        Runnable next;
        while ((next = completions.poll()) != null) {
            next.run();
        }
    }

    private static List<String> numbered(int from, int to) {
        List<String> texts = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            texts.add("{\"n\":" + i + "}");
        }
        return texts;
    }

    @Test
    void messagesQueuedDuringASendGoAheadAsFramesOfTheirOwnInOrder() {
        numbered(1, 10).forEach(connection::enqueue);
        assertEquals(1, transport.texts().size(), "the first is in flight, nine wait behind it");
        completions.poll().run(); // the first completes: the writer hands the nine over without waiting
        assertEquals(numbered(1, 10), transport.texts(), "one message per frame, in order");
        assertEquals(9, transport.mostInFlight.get(), "the nine were in flight at once");
        assertFalse(connection.drained(), "not drained while the last of them is in flight");
        releaseAll();
        assertTrue(connection.drained());
        assertEquals(10, connection.outbox.sends().sent(), "every message counted once");
        assertEquals(0, transport.concurrentCalls.get(), "the calls themselves never overlap: one writer");
    }

    @Test
    void aSendCarriesAtMostItsBoundAheadAndWaitsForTheLastBeforeMore() {
        int queued = 1 + 3 * NextSend.MAX_AHEAD;
        numbered(1, queued).forEach(connection::enqueue);
        completions.poll().run();
        assertEquals(1 + NextSend.MAX_AHEAD, transport.texts().size(), "the bound, then the writer waits");
        for (int i = 0; i < 10 && !completions.isEmpty(); i++) {
            releaseAll();
        }
        assertEquals(numbered(1, queued), transport.texts());
        assertEquals(NextSend.MAX_AHEAD, transport.mostInFlight.get(), "never more in flight than the bound");
        assertEquals(queued, connection.outbox.sends().sent());
    }

    @Test
    void aBinaryFrameAndAGracefulCloseGoAfterTheTextQueuedBeforeThem() {
        connection.enqueue("first");
        connection.enqueue("second");
        connection.outbox.offer(new Outbound.Binary(ByteBuffer.wrap(new byte[] {1, 2})), dev.switchboard.config.SlowConsumerPolicy.DISCONNECT);
        connection.enqueue("third");
        connection.close(1000, "bye");
        for (int i = 0; i < 10 && !completions.isEmpty(); i++) {
            releaseAll();
        }
        assertEquals(4, transport.frames.size(), "first, second, the binary, third: " + transport.frames);
        assertEquals("second", transport.frames.get(1));
        assertTrue(transport.frames.get(2) instanceof ByteBuffer, "the binary in its place");
        assertEquals("third", transport.frames.get(3));
        assertEquals(1000, transport.closedWith.getNow(-1), "then the close");
        assertEquals(0, transport.afterClose.get());
    }

    /** Frames sent from Undertow's I/O thread are written one at a time: with more queued, a writer thread goes on. */
    @Test
    void aCompletionWithMoreQueuedHandsTheWriterToThePoolNotTheCompletingThread() {
        ConcurrentLinkedQueue<Runnable> pool = new ConcurrentLinkedQueue<>();
        Connection c = EngineFixture.connection(transport, pool::add, false);
        c.enqueue("first");
        pool.poll().run(); // the writer sends it
        c.enqueue("second");
        c.enqueue("third");
        assertTrue(pool.isEmpty(), "a send in flight: the writer is not started again");
        completions.poll().run(); // "first" completes on the container's thread
        assertEquals(List.of("first"), transport.texts(), "nothing sent on the completing thread");
        assertEquals(1, pool.size(), "the writer goes on on the pool");
        pool.poll().run();
        assertEquals(List.of("first", "second", "third"), transport.texts());
        releaseAll();
        assertTrue(pool.isEmpty(), "nothing queued when the last completed: it ends where it completed");
        assertTrue(c.drained());
    }

    @Test
    void aFailedSendHandedAheadEndsTheConnectionAsASlowConsumer() {
        transport.failing = frame -> "{\"n\":3}".equals(frame);
        numbered(1, 10).forEach(connection::enqueue);
        for (int i = 0; i < 10 && !completions.isEmpty(); i++) {
            releaseAll();
        }
        assertEquals(CloseCodes.SLOW_CONSUMER, transport.closedWith.getNow(-1), "4008, as any send that failed");
        assertEquals(0, transport.afterClose.get(), "nothing written after the close");
    }
}
