package dev.switchboard.engine;

import dev.switchboard.CloseCodes;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One live WebSocket peer: its identity, the rooms it joined, and its outbound queue.
 *
 * <p>Delivery contract: {@code enqueue} never blocks and never sends on the caller's thread. Each connection has
 * one bounded queue (by messages and by characters) and one writer at a time, which runs on the shared writer
 * executor and sends asynchronously, one frame after the other. Because only that writer touches the transport,
 * any number of threads may enqueue concurrently (no container allows concurrent sends on one session); each
 * thread's messages keep their order. At the bound, the room's {@link SlowConsumerPolicy} decides: close with
 * 4008 (replies and control frames always take this path), drop the oldest droppable publication, or conflate.
 */
public final class Connection {

    private static final int SENDING = 1;
    private static final int COMPLETED_INLINE = 2;
    private static final int COMPLETING_LATER = 3;

    /** Queue marker: close after the frames queued before it went out. */
    private record CloseAfter(int code, String reason) {
    }

    /** A publication of a drop-oldest room: may be dropped to make room. */
    private record Droppable(String text) {
    }

    /** The latest unsent publication of a conflating room; the writer takes it, a publisher may replace it. */
    private static final class Latest {
        final String room;
        final AtomicReference<String> text;

        Latest(String room, String text) {
            this.room = room;
            this.text = new AtomicReference<>(text);
        }
    }

    private final String id;
    private final dev.switchboard.security.Caller caller;
    private final String user;
    private final String endpoint;
    private final Transport transport;
    private final Executor writers;
    private final int maxMessages;
    private final long maxChars;
    private final Consumer<Connection> onSlowConsumer;
    private final long openedNanos = System.nanoTime();

    private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
    private final Map<String, Latest> latest = new ConcurrentHashMap<>();
    private final AtomicInteger queuedMessages = new AtomicInteger();
    private final AtomicLong queuedChars = new AtomicLong();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicInteger sendPhase = new AtomicInteger();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile long sendStartedNanos;
    /** The client negotiated {@code switchboard.v1.batch}: queued text messages may share one frame. */
    private volatile boolean batching;
    /** A frame the writer took while batching that is not text; it goes next (writer only). */
    private volatile Object carry;
    /** Messages in the send in progress (more than one when batched). */
    private volatile int inFlight = 1;

    /** Where send durations are recorded (the hub's, for {@code /api/stats}); null: not recorded. */
    volatile org.HdrHistogram.Recorder sendTimes;

    /** Largest batched frame, in characters: a batch only takes what is already queued, up to this. */
    static final int MAX_BATCH_CHARS = 64 * 1024;
    /** Send durations are recorded up to this (µs); longer ones count as this. */
    static final long SEND_TIME_MAX_MICROS = 60_000_000L;
    /** A graceful close is queued: the writer sends what is before it, then closes. */
    private volatile boolean closeQueued;
    /** A heartbeat ping waits for the writer: it goes before the next queued frame, not behind the backlog. */
    private volatile boolean pingRequested;
    /** The payload of the last heartbeat ping; its pong must echo it (RFC 6455 5.5.3). */
    private final AtomicLong pingToken = new AtomicLong();
    /** When the unanswered heartbeat ping was requested, or 0 when none is outstanding. */
    private volatile long pingOutstandingSince;
    private volatile long lastPingAnsweredNanos = openedNanos;
    private volatile long lastHeardNanos = openedNanos;
    private volatile long lastMessageNanos;

    /** The connection's message rate limit; used only on the thread delivering its messages. */
    RateLimiter rate;

    /** Rooms this connection is a member of; written only by {@link Room} under its lock. */
    final Set<String> rooms = ConcurrentHashMap.newKeySet();
    /** Server-to-client requests awaiting the client's answer, by id. */
    final Map<String, ServerRequests.Pending> pending = new ConcurrentHashMap<>();

    Connection(String id, dev.switchboard.security.Caller caller, String endpoint, Transport transport, Executor writers,
               int maxMessages, long maxChars, Consumer<Connection> onSlowConsumer) {
        this.id = id;
        this.caller = caller;
        this.user = caller.name();
        this.endpoint = endpoint;
        this.transport = transport;
        this.writers = writers;
        this.maxMessages = maxMessages;
        this.maxChars = maxChars;
        this.onSlowConsumer = onSlowConsumer;
    }

    public String id() {
        return id;
    }

    public String user() {
        return user;
    }

    /** Who is connected: name, roles, whether a guest, when the credentials expire. */
    public dev.switchboard.security.Caller caller() {
        return caller;
    }

    /** The path the client connected to, e.g. {@code /ws}. */
    public String endpoint() {
        return endpoint;
    }

    /** True for plain room connections ({@code /ws/rooms/{room}}), which receive binary publications. */
    boolean acceptsBinary() {
        return endpoint.startsWith("/ws/rooms/");
    }

    /** Several queued text messages may go out in one frame, newline-separated ({@code switchboard.v1.batch}). */
    void batching(boolean on) {
        batching = on;
    }

    /** Messages waiting in the outbound queue. */
    public int queued() {
        return queuedMessages.get();
    }

    /** Frames sent successfully so far. */
    public long sent() {
        return sent.get();
    }

    /** Publications dropped or conflated away by the slow-consumer policy. */
    public long dropped() {
        return dropped.get();
    }

    /** True once the connection is being closed: nothing more is queued. */
    public boolean isClosing() {
        return closing.get();
    }

    long openedNanos() {
        return openedNanos;
    }

    /** When the peer was last heard from (any frame, pongs included), as {@link System#nanoTime}. */
    long lastHeardNanos() {
        return lastHeardNanos;
    }

    /** When the peer last sent a message (not a pong), or 0 if never. */
    long lastMessageNanos() {
        return lastMessageNanos;
    }

    /**
     * The peer sent a pong. Only a pong echoing the outstanding ping's payload answers it: unsolicited pongs
     * (allowed as a one-way keep-alive) show the peer is there, not that it reads what it is sent.
     */
    void pong(ByteBuffer payload) {
        long now = System.nanoTime();
        lastHeardNanos = now;
        if (payload != null && payload.remaining() == Long.BYTES && payload.getLong(payload.position()) == pingToken.get()) {
            pingOutstandingSince = 0;
            lastPingAnsweredNanos = now;
        }
    }

    /** When the outstanding heartbeat ping was requested, or 0 when none is outstanding. */
    long pingOutstandingSince() {
        return pingOutstandingSince;
    }

    /** When the last heartbeat ping was answered (or the connection opened). */
    long lastPingAnsweredNanos() {
        return lastPingAnsweredNanos;
    }

    /** The peer sent a message. */
    void messageReceived() {
        long now = System.nanoTime();
        lastHeardNanos = now;
        lastMessageNanos = now;
    }

    /** Nanos when the send in progress started, or 0 when idle. */
    long sendStartedNanos() {
        return sendStartedNanos;
    }

    /** Queues a reply or control frame: never dropped; at the bound the connection closes with 4008. */
    boolean enqueue(String text) {
        return offer(text, text.length(), SlowConsumerPolicy.DISCONNECT);
    }

    /** Queues a publication of {@code room} under the room's policy. */
    boolean enqueue(String text, String room, SlowConsumerPolicy policy) {
        switch (policy) {
            case CONFLATE:
                if (closing.get()) {
                    return false;
                }
                Latest slot = latest.get(room);
                if (slot != null) {
                    String previous = slot.text.get();
                    if (previous != null && slot.text.compareAndSet(previous, text)) {
                        queuedChars.addAndGet(text.length() - previous.length());
                        dropped.incrementAndGet();
                        return true;
                    }
                }
                Latest fresh = new Latest(room, text);
                latest.put(room, fresh);
                return offer(fresh, text.length(), policy);
            case DROP_OLDEST:
                return offer(new Droppable(text), text.length(), policy);
            default:
                return offer(text, text.length(), policy);
        }
    }

    /** Queues a binary frame; the buffer is shared and never consumed. */
    boolean enqueue(ByteBuffer data) {
        return offer(data, data.remaining(), SlowConsumerPolicy.DISCONNECT);
    }

    /**
     * Asks the writer for a WebSocket ping (heartbeat), sent before the next queued frame so that a long backlog
     * does not delay it. {@code RemoteEndpoint.Async.sendPing} does not wait for the socket on Tyrus or Undertow.
     */
    void ping() {
        if (closing.get() || pingOutstandingSince != 0) {
            return;
        }
        pingToken.incrementAndGet();
        pingOutstandingSince = System.nanoTime();
        pingRequested = true;
        if (writing.compareAndSet(false, true)) {
            writers.execute(this::drain);
        }
    }

    private boolean offer(Object frame, long chars, SlowConsumerPolicy policy) {
        if (closing.get()) {
            return false;
        }
        int messages = queuedMessages.incrementAndGet();
        long total = queuedChars.addAndGet(chars);
        if (messages > maxMessages || total > maxChars) {
            if (policy != SlowConsumerPolicy.DISCONNECT && dropOldest()) {
                // made room: keep this one
            } else {
                queuedMessages.decrementAndGet();
                queuedChars.addAndGet(-chars);
                slowConsumer("slow consumer: outbound queue full");
                return false;
            }
        }
        queue.offer(frame);
        if (writing.compareAndSet(false, true)) {
            writers.execute(this::drain);
        }
        return true;
    }

    /** Removes the oldest droppable publication; false when there is none. */
    private boolean dropOldest() {
        for (Iterator<Object> it = queue.iterator(); it.hasNext(); ) {
            Object frame = it.next();
            if (frame instanceof Droppable || frame instanceof Latest) {
                if (queue.remove(frame)) {
                    String text = frame instanceof Droppable d ? d.text() : ((Latest) frame).text.getAndSet(null);
                    if (frame instanceof Latest l) {
                        latest.remove(l.room, l);
                    }
                    queuedMessages.decrementAndGet();
                    queuedChars.addAndGet(text == null ? 0 : -text.length());
                    dropped.incrementAndGet();
                    return true;
                }
            }
        }
        return false;
    }

    private void slowConsumer(String reason) {
        if (closing.compareAndSet(false, true)) {
            onSlowConsumer.accept(this);
            closeLater(CloseCodes.SLOW_CONSUMER, reason); // now: what is queued cannot reach it anyway
        }
    }

    /**
     * Closes after what is already queued has gone out (e.g. the {@code rate_limited} replies before a 4029), on
     * the writer, never on the caller's thread. Nothing more is queued from now on. If the peer does not read,
     * the heartbeat or the send timeout ends the connection instead.
     */
    void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            closeQueued = true;
            queue.offer(new CloseAfter(code, reason));
            queuedMessages.incrementAndGet();
            if (writing.compareAndSet(false, true)) {
                writers.execute(this::drain);
            }
        }
    }

    private void closeLater(int code, String reason) {
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
        if (carry != null) {
            carry = null;
            queuedMessages.decrementAndGet();
        }
        while (queue.poll() != null) {
            queuedMessages.decrementAndGet();
        }
        latest.clear();
        queuedChars.set(0);
    }

    /** The single writer: runs until the queue is empty, or until an asynchronous send completes later. */
    private void drain() {
        while (true) {
            if (closing.get() && !closeQueued) {
                discardQueue();
                writing.set(false);
                return;
            }
            if (pingRequested) {
                pingRequested = false;
                transport.ping(ByteBuffer.allocate(Long.BYTES).putLong(0, pingToken.get()));
            }
            Object frame = carry;
            if (frame != null) {
                carry = null;
            } else {
                frame = queue.poll();
            }
            if (frame == null) {
                writing.set(false);
                // a frame (or ping) queued between poll() and set(false) found writing=true and started no writer
                if ((queue.isEmpty() && !pingRequested) || !writing.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            queuedMessages.decrementAndGet();
            if (frame instanceof CloseAfter close) {
                discardQueue();
                transport.close(close.code(), close.reason());
                return; // writing stays true: nothing is sent after the close
            }
            if (frame instanceof ByteBuffer data) {
                queuedChars.addAndGet(-data.remaining());
                startSend(1);
                transport.sendBinary(data, this::sent);
                if (sendPhase.compareAndSet(SENDING, COMPLETING_LATER)) {
                    return;
                }
                continue;
            }
            String text = textOf(frame);
            if (text == null) {
                continue; // conflated away
            }
            queuedChars.addAndGet(-text.length());
            int messages = 1;
            if (batching && !queue.isEmpty()) {
                StringBuilder batch = null;
                while (carry == null && (batch == null ? text.length() : batch.length()) < MAX_BATCH_CHARS) {
                    Object next = queue.poll();
                    if (next == null) {
                        break;
                    }
                    if (next instanceof ByteBuffer || next instanceof CloseAfter) {
                        carry = next; // not text: it goes on its own, next
                        break;
                    }
                    queuedMessages.decrementAndGet();
                    String more = textOf(next);
                    if (more == null) {
                        continue;
                    }
                    queuedChars.addAndGet(-more.length());
                    if (batch == null) {
                        batch = new StringBuilder(Math.min(MAX_BATCH_CHARS + more.length(), 4 * (text.length() + more.length())));
                        batch.append(text);
                    }
                    batch.append('\n').append(more);
                    messages++;
                }
                if (batch != null) {
                    text = batch.toString();
                }
            }
            startSend(messages);
            transport.sendText(text, this::sent);
            if (sendPhase.compareAndSet(SENDING, COMPLETING_LATER)) {
                return; // sent(...) continues the loop when the container completes the send
            }
        }
    }

    /** The text of a queued text frame, or null when a conflated slot was emptied (taken by a newer one). */
    private String textOf(Object frame) {
        if (frame instanceof String s) {
            return s;
        }
        if (frame instanceof Droppable d) {
            return d.text();
        }
        Latest l = (Latest) frame;
        latest.remove(l.room, l);
        return l.text.getAndSet(null);
    }

    private void startSend(int messages) {
        inFlight = messages;
        sendPhase.set(SENDING);
        sendStartedNanos = System.nanoTime();
    }

    private void sent(Throwable failure) {
        long started = sendStartedNanos;
        sendStartedNanos = 0;
        org.HdrHistogram.Recorder times = sendTimes;
        if (times != null && started != 0) {
            times.recordValue(Math.min(SEND_TIME_MAX_MICROS, Math.max(0, (System.nanoTime() - started) / 1000)));
        }
        if (failure == null) {
            sent.addAndGet(inFlight);
        } else {
            // a send that failed or passed the send timeout: the peer is not reading, or is gone
            slowConsumer("slow consumer: send failed or timed out");
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
