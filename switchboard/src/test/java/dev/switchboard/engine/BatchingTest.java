package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.security.Caller;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * {@code switchboard.v1.batch}: what is queued while a send is in progress goes out as one frame, one message per
 * line, in order; plain {@code switchboard.v1} connections keep one message per frame.
 */
class BatchingTest {

    /** Completions held until released, as a container completes a send once the socket took it. */
    private final ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();

    private Connection connection(TestTransport transport, boolean batching) {
        return EngineFixture.connection(transport, Runnable::run, batching);
    }

    private void releaseAll() {
        Runnable next;
        while ((next = completions.poll()) != null) {
            next.run();
        }
    }

    @Test
    void messagesQueuedDuringASendShareTheNextFrameInOrder() {
        TestTransport transport = TestTransport.async(completions::add);
        Connection c = connection(transport, true);
        for (int i = 1; i <= 10; i++) {
            c.enqueue("{\"n\":" + i + "}");
        }
        releaseAll();
        releaseAll();
        assertEquals(2, transport.texts().size(), "the first alone, the nine queued behind it together: " + transport.texts());
        List<String> lines = new ArrayList<>();
        transport.texts().forEach(t -> lines.addAll(List.of(t.split("\n"))));
        for (int i = 1; i <= 10; i++) {
            assertEquals("{\"n\":" + i + "}", lines.get(i - 1));
        }
        assertEquals(10, c.outbox.sends().sent(), "sent counts messages, not frames");
        assertEquals(0, c.queued());
        assertEquals(0, transport.overlapping.get());
    }

    /**
     * A connection is drained only once its last send completed, not when its queue is empty: shutdown's drain asks
     * this before its 1001, which otherwise takes over from the send in flight (a send the container may then drop:
     * ShutdownIT on WildFly once missed the last publication).
     */
    @Test
    void aSendInFlightKeepsTheConnectionUndrainedThoughNothingIsQueued() {
        TestTransport transport = TestTransport.async(completions::add);
        Connection c = connection(transport, true);
        c.enqueue("first");
        c.enqueue("second");
        assertTrue(!c.drained(), "a send in flight, one queued");
        completions.poll().run(); // "first" completed; "second" is now in flight
        assertEquals(0, c.queued(), "nothing queued");
        assertTrue(!c.drained(), "but the last send has not completed");
        releaseAll();
        assertEquals(List.of("first", "second"), transport.texts());
        assertTrue(c.drained(), "everything sent and completed");
    }

    @Test
    void aPlainConnectionKeepsOneMessagePerFrame() {
        TestTransport transport = TestTransport.async(completions::add);
        Connection c = connection(transport, false);
        for (int i = 1; i <= 10; i++) {
            c.enqueue("{\"n\":" + i + "}");
            releaseAll();
        }
        releaseAll();
        assertEquals(10, transport.texts().size());
        assertTrue(transport.texts().stream().noneMatch(t -> t.contains("\n")));
    }

    @Test
    void aBatchStopsAtAGracefulCloseAndAtTheSizeBound() {
        TestTransport transport = TestTransport.async(completions::add);
        Connection c = connection(transport, true);
        String big = "x".repeat(NextSend.MAX_BATCH_CHARS / 2);
        c.enqueue("first");
        c.enqueue(big);
        c.enqueue(big);
        c.enqueue(big);
        c.close(1000, "bye");
        for (int i = 0; i < 5; i++) {
            releaseAll();
        }
        List<String> texts = transport.texts();
        assertEquals("first", texts.get(0));
        assertTrue(texts.stream().allMatch(t -> t.length() <= NextSend.MAX_BATCH_CHARS + big.length() + 1),
                "no frame grows past the bound by more than one message");
        long messages = texts.stream().mapToLong(t -> t.split("\n").length).sum();
        assertEquals(4, messages, "every message before the close went out: " + texts.size() + " frames");
        assertEquals(1000, transport.closedWith.getNow(-1), "then the close, after them");
    }
}
