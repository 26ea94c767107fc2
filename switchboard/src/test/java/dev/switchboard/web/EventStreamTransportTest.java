package dev.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The event stream's transport against a servlet output stream the test drives: frames become events with the rooms'
 * positions as ids, a send completes only when the container can take more (non-blocking: a slow reader holds its own
 * queue), heartbeats are comments that answer the ping, a close is an event then the end, and a failed write fails
 * what waits and ends the connection once.
 */
class EventStreamTransportTest {

    /** A container's output stream: takes bytes; {@code ready} says whether it can take more now. */
    static final class Output extends ServletOutputStream {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        volatile boolean ready = true;
        volatile boolean broken;
        int flushes;

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
        }

        @Override
        public void write(int b) throws IOException {
            if (broken) {
                throw new IOException("Broken pipe");
            }
            written.write(b);
        }

        @Override
        public void flush() throws IOException {
            if (broken) {
                throw new IOException("Broken pipe");
            }
            flushes++;
        }

        String text() {
            return written.toString(StandardCharsets.UTF_8);
        }
    }

    private final Output out = new Output();
    private final AtomicInteger completed = new AtomicInteger();
    private final AsyncContext async = (AsyncContext) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {AsyncContext.class}, (proxy, method, args) -> {
                if (method.getName().equals("complete")) {
                    completed.incrementAndGet();
                }
                return null;
            });
    private final List<String> closes = new ArrayList<>();
    private final List<Long> pongs = new ArrayList<>();
    private final EventStreamTransport transport = new EventStreamTransport(async, out,
            Map.of("a", new StreamPositions.Position("e0", 4)));

    {
        transport.attach(payload -> pongs.add(payload.getLong(payload.position())), (code, reason) -> closes.add(code + " " + reason));
    }

    @Test
    void framesAreEventsAndMessagesCarryEveryRoomsPosition() {
        List<Throwable> done = new ArrayList<>();
        transport.sendText("{\"type\":\"welcome\",\"user\":\"ann\"}", done::add);
        transport.sendText("{\"type\":\"joined\",\"room\":\"a\",\"epoch\":\"e0\",\"offset\":9,\"recovered\":true}", done::add);
        transport.sendText("{\"type\":\"joined\",\"room\":\"b\",\"epoch\":\"e1\",\"offset\":2}", done::add);
        transport.sendText("{\"type\":\"message\",\"room\":\"a\",\"epoch\":\"e0\",\"offset\":5,\"data\":1}", done::add);
        assertEquals(4, done.size());
        assertTrue(done.stream().allMatch(java.util.Objects::isNull), "each completed once the container took it");
        assertEquals("data: {\"type\":\"welcome\",\"user\":\"ann\"}\n\n"
                + "data: {\"type\":\"joined\",\"room\":\"a\",\"epoch\":\"e0\",\"offset\":9,\"recovered\":true}\n\n"
                + "id: a~e0~4,b~e1~2\n"
                + "data: {\"type\":\"joined\",\"room\":\"b\",\"epoch\":\"e1\",\"offset\":2}\n\n"
                + "id: a~e0~5,b~e1~2\n"
                + "data: {\"type\":\"message\",\"room\":\"a\",\"epoch\":\"e0\",\"offset\":5,\"data\":1}\n\n", out.text(),
                "a recovering joined leaves the position to the missed messages that follow it");
        assertEquals(4, out.flushes, "each event is flushed: nothing waits in the container's buffer");
    }

    @Test
    void aSendCompletesOnlyWhenTheContainerCanTakeMore() {
        List<Throwable> first = new ArrayList<>();
        List<Throwable> second = new ArrayList<>();
        out.ready = false; // the reader is slow: the container has not written what it holds
        transport.sendText("{\"type\":\"welcome\"}", first::add);
        assertEquals("", out.text(), "nothing is written while the container cannot take it");
        transport.sendText("{\"type\":\"pong\"}", second::add);
        assertTrue(first.isEmpty() && second.isEmpty(), "the engine's writer is not held: the sends wait here");
        out.ready = true;
        transport.onWritePossible();
        assertEquals(1, first.size());
        assertNull(first.get(0));
        assertEquals(1, second.size(), "then the next, in order");
        assertEquals("data: {\"type\":\"welcome\"}\n\ndata: {\"type\":\"pong\"}\n\n", out.text());
    }

    @Test
    void aHeartbeatIsACommentThatAnswersThePing() {
        transport.ping(ByteBuffer.allocate(8).putLong(0, 42));
        assertEquals(": heartbeat\n\n", out.text());
        assertEquals(List.of(42L), pongs);
    }

    @Test
    void aCloseIsAnEventThenTheEndAndAFailedWriteEndsItOnce() {
        transport.close(4008, "slow consumer");
        assertTrue(out.text().startsWith("event: close\ndata: {\"type\":\"close\",\"code\":4008,\"reason\":\"slow consumer\"}"),
                out.text());
        assertEquals(1, completed.get());
        assertEquals(List.of("4008 slow consumer"), closes);

        EventStreamTransportTest other = new EventStreamTransportTest();
        other.out.broken = true;
        List<Throwable> failed = new ArrayList<>();
        other.transport.sendText("{\"type\":\"welcome\"}", failed::add);
        other.transport.sendText("{\"type\":\"pong\"}", failed::add);
        assertEquals(2, failed.size());
        assertNotNull(failed.get(0), "the peer went away: the send fails");
        assertNotNull(failed.get(1), "and so does every later one");
        other.transport.onError(new IOException("reset"));
        assertEquals(1, other.closes.size(), "the connection is ended once: " + other.closes);
        assertTrue(other.closes.get(0).startsWith("1006"), other.closes.toString());
        assertEquals(1, other.completed.get());
    }
}
