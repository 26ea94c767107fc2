package dev.switchboard.engine;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One live WebSocket peer: its identity, the rooms it joined, and its outbound queue.
 *
 * <p>Delivery contract: {@link #enqueue} never blocks and never sends on the caller's thread. Each connection has
 * one bounded queue (by messages and by characters) and one writer at a time, which runs on the shared writer
 * executor and sends asynchronously, one frame after the other. Because only that writer touches the transport,
 * any number of threads may enqueue concurrently (no container allows concurrent sends on one session); each
 * thread's messages keep their order. When the queue would pass its bound, the message is not queued, the
 * connection is closed with 4008 and {@code onOverflow} is told once.
 */
public final class Connection {

    private static final int SENDING = 1;
    private static final int COMPLETED_INLINE = 2;
    private static final int COMPLETING_LATER = 3;

    private final String id;
    private final String user;
    private final String endpoint;
    private final Transport transport;
    private final Executor writers;
    private final int maxMessages;
    private final long maxChars;
    private final Consumer<Connection> onOverflow;

    private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedMessages = new AtomicInteger();
    private final AtomicLong queuedChars = new AtomicLong();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicInteger sendPhase = new AtomicInteger();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private volatile long sendStartedNanos;

    /** Rooms this connection is a member of; written only by {@link Hub} (under the room's lock). */
    final Set<String> rooms = ConcurrentHashMap.newKeySet();

    Connection(String id, String user, String endpoint, Transport transport, Executor writers, int maxMessages,
               long maxChars, Consumer<Connection> onOverflow) {
        this.id = id;
        this.user = user;
        this.endpoint = endpoint;
        this.transport = transport;
        this.writers = writers;
        this.maxMessages = maxMessages;
        this.maxChars = maxChars;
        this.onOverflow = onOverflow;
    }

    public String id() {
        return id;
    }

    public String user() {
        return user;
    }

    /** The path the client connected to, e.g. {@code /ws}. */
    public String endpoint() {
        return endpoint;
    }

    /** True for plain room connections ({@code /ws/rooms/{room}}), which receive binary publications. */
    boolean acceptsBinary() {
        return endpoint.startsWith("/ws/rooms/");
    }

    /** Messages waiting in the outbound queue. */
    public int queued() {
        return queuedMessages.get();
    }

    /** Frames sent successfully so far. */
    public long sent() {
        return sent.get();
    }

    /** True once the connection is being closed: nothing more is queued. */
    public boolean isClosing() {
        return closing.get();
    }

    /** Nanos ({@link System#nanoTime}) when the send in progress started, or 0 when idle. */
    long sendStartedNanos() {
        return sendStartedNanos;
    }

    /** Queues a text frame; see the class contract. Returns false when not queued (closing, or overflow). */
    boolean enqueue(String text) {
        return offer(text, text.length());
    }

    /** Queues a binary frame; the buffer is shared and never consumed. */
    boolean enqueue(ByteBuffer data) {
        return offer(data, data.remaining());
    }

    private boolean offer(Object frame, long chars) {
        if (closing.get()) {
            return false;
        }
        int messages = queuedMessages.incrementAndGet();
        long total = queuedChars.addAndGet(chars);
        if (messages > maxMessages || total > maxChars) {
            queuedMessages.decrementAndGet();
            queuedChars.addAndGet(-chars);
            if (closing.compareAndSet(false, true)) {
                onOverflow.accept(this);
                close(dev.switchboard.CloseCodes.SLOW_CONSUMER, "slow consumer: outbound queue full");
            }
            return false;
        }
        queue.offer(frame);
        if (writing.compareAndSet(false, true)) {
            writers.execute(this::drain);
        }
        return true;
    }

    /**
     * Closes the transport on the writer executor (never on the caller's thread: a close may block on a stalled
     * socket). Queued messages are discarded. Idempotent with respect to the queue.
     */
    void close(int code, String reason) {
        closing.set(true);
        writers.execute(() -> {
            discardQueue();
            transport.close(code, reason);
        });
    }

    /** Closes the transport on the caller's thread: for shutdown, when the writer executor may be gone. */
    void closeNow(int code, String reason) {
        closing.set(true);
        discardQueue();
        transport.close(code, reason);
    }

    /** Marks the connection closed by the peer or the container: nothing more is queued or sent. */
    void closed() {
        closing.set(true);
        discardQueue();
    }

    private void discardQueue() {
        while (queue.poll() != null) {
            queuedMessages.decrementAndGet();
        }
        queuedChars.set(0);
    }

    /** The single writer: runs until the queue is empty, or until an asynchronous send completes later. */
    private void drain() {
        while (true) {
            if (closing.get()) {
                discardQueue();
                writing.set(false);
                return;
            }
            Object frame = queue.poll();
            if (frame == null) {
                writing.set(false);
                // a frame queued between poll() and set(false) found writing=true and did not start a writer
                if (queue.isEmpty() || !writing.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            queuedMessages.decrementAndGet();
            sendPhase.set(SENDING);
            sendStartedNanos = System.nanoTime();
            if (frame instanceof String text) {
                queuedChars.addAndGet(-text.length());
                transport.sendText(text, this::sent);
            } else {
                ByteBuffer data = (ByteBuffer) frame;
                queuedChars.addAndGet(-data.remaining());
                transport.sendBinary(data, this::sent);
            }
            if (sendPhase.compareAndSet(SENDING, COMPLETING_LATER)) {
                return; // sent(...) continues the loop when the container completes the send
            }
        }
    }

    private void sent(Throwable failure) {
        sendStartedNanos = 0;
        if (failure == null) {
            sent.incrementAndGet();
        } else if (!closing.get()) {
            // a send that failed or passed the send timeout: the peer is not reading, or is gone
            onOverflow.accept(this);
            close(dev.switchboard.CloseCodes.SLOW_CONSUMER, "slow consumer: send failed or timed out");
        }
        if (!sendPhase.compareAndSet(SENDING, COMPLETED_INLINE)) {
            drain(); // completed asynchronously: this thread is now the writer
        }
    }

    @Override
    public String toString() {
        return "Connection[" + id + ", user=" + user + ", " + endpoint + "]";
    }
}
