package dev.switchboard.engine;

import dev.switchboard.CloseCodes;
import dev.switchboard.config.SlowConsumerPolicy;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * A connection's single writer and its {@link OutboundQueue}.
 *
 * <p>Contract: {@code offer} never blocks and never sends on the caller's thread: it only queues, and when the writer
 * is idle takes the writer's role with one compare-and-set and starts it — on the writer pool, or, for the connection
 * a {@link WriteThrough} bracket serves (a container thread answering what that peer sent), on that same thread once
 * the bracket ends and every lock is let go. The queue is bounded by items and by size; at the bound the room's
 * {@link SlowConsumerPolicy} decides: drop the oldest droppable publication, or (replies, control frames,
 * {@code disconnect} rooms) end the connection with 4008. One writer at a time — whoever
 * holds {@link #writing} — takes items in order and sends them asynchronously through the {@link Transport}, one
 * send in flight at a time (on a transport that {@linkplain Transport#takesSendsAhead takes sends ahead}, the text
 * queued behind a send goes with it, frame after frame, and the last one's completion stands for them all); it runs on
 * the writer executor, or on the container's thread that completes a send.
 *
 * <p>Invariant: every call on the transport, pings and the close frame included, and every take from the queue
 * are made by the writer. Other threads only add to the queue and ask: {@link #close} (graceful: after what is
 * queued), {@link #terminate} (now: what is queued is discarded), {@link #peerClosed}. When the writer is waiting
 * for a send that does not complete (a peer that stopped reading), {@link #terminate} takes the writer's role over
 * from that send, whose completion is then ignored, so a verdict never waits behind a stuck send.
 */
final class Outbox {

    private static final java.lang.invoke.VarHandle WRITING = Handles.field(Outbox.class, "writing", boolean.class);
    private static final java.lang.invoke.VarHandle CLOSING = Handles.field(Outbox.class, "closing", boolean.class);
    private static final java.lang.invoke.VarHandle VERDICT = Handles.field(Outbox.class, "verdict", Outbound.Close.class);
    private static final java.lang.invoke.VarHandle PING = Handles.field(Outbox.class, "ping", ByteBuffer.class);

    private final Transport transport;
    private final Executor writers;
    private final Telemetry telemetry;
    private final Runnable onSlowConsumer;
    private final OutboundQueue queue;
    private volatile boolean writing; // through WRITING
    private final SendInFlight send = new SendInFlight();
    /** Nothing more is queued (a close was asked for, or the peer is gone). */
    private volatile boolean closing; // through CLOSING
    /** A close that goes before anything queued (slow consumer, a verdict of the sweep, shutdown). */
    private volatile Outbound.Close verdict; // through VERDICT
    private volatile boolean peerClosed;
    /** How the output ends: the transport closed once, by the writer. */
    private final OutputEnd end;
    /** The completion of every send: one instance, not one per send. */
    private final Consumer<Throwable> onSent = this::sent;
    /** The completion of a send the writer does not wait for (the transport takes sends ahead): failures only. */
    private final Consumer<Throwable> onSentAhead = this::failed;
    /** What the next text send carries (writer only). */
    private final NextSend next;
    /** A non-text item the writer took while composing a send; it goes next (writer only). */
    private Outbound carry;
    /** The payload of a heartbeat ping the writer is to send before the next frame, or null. */
    private volatile ByteBuffer ping; // through PING

    /** {@code closer}: where a close waits when a send has not completed (null: on the writer). */
    Outbox(Transport transport, Executor writers, int maxMessages, long maxSize, QueueBudget budget, Telemetry telemetry,
           Runnable onSlowConsumer, Executor closer) {
        this.end = new OutputEnd(transport, closer);
        this.transport = transport;
        this.writers = writers;
        this.queue = new OutboundQueue(maxMessages, maxSize, budget);
        this.telemetry = telemetry;
        this.onSlowConsumer = onSlowConsumer;
        this.next = new NextSend(transport);
    }

    void batching(boolean on) {
        next.batching(on);
    }

    int queued() {
        return queue.messages();
    }

    long dropped() {
        return queue.dropped();
    }

    /** No writer is running: nothing queued, no send in progress (the next offer starts one). */
    boolean isIdle() {
        return !writing;
    }

    boolean isClosing() {
        return closing;
    }

    /** The writer closed the transport, or the peer closed: nothing more will be written. */
    boolean isFinished() {
        return end.finished();
    }

    /** The writer's send in flight and when sends completed, for the sweep (read-only there). */
    SendInFlight sends() {
        return send;
    }

    /** Queues a reply or control frame: never dropped; at the bound the connection ends with 4008. */
    boolean offer(String text) {
        return offer(new Outbound.Text(text), SlowConsumerPolicy.DISCONNECT);
    }

    /** Queues a publication of {@code room} under the room's policy. */
    boolean offer(String text, String room, SlowConsumerPolicy policy) {
        switch (policy) {
            case CONFLATE:
                if (closing) {
                    return false;
                }
                return queue.conflate(room, text) || offer(new Outbound.Latest(room, text), policy);
            case DROP_OLDEST:
                return offer(new Outbound.Droppable(text), policy);
            default:
                return offer(new Outbound.Text(text), policy);
        }
    }

    /**
     * Queues {@code item} (a {@link Outbound.Text}, {@link Outbound.Droppable} or {@link Outbound.Binary}, immutable but
     * for its count of holders, so one instance may be queued for every member of a room: a broadcast allocates once,
     * not once per recipient, and the node's {@link QueueBudget} counts it once) under {@code policy}.
     */
    boolean offer(Outbound item, SlowConsumerPolicy policy) {
        if (closing) {
            return false;
        }
        if (!queue.add(item, policy)) {
            if (terminate(CloseCodes.SLOW_CONSUMER, "slow consumer: outbound queue full")) {
                onSlowConsumer.run();
            }
            return false;
        }
        wake();
        return true;
    }

    /** A heartbeat ping with {@code payload}, sent by the writer before the next queued frame. */
    void ping(ByteBuffer payload) {
        if (!closing) {
            ping = payload;
            wake();
        }
    }

    /**
     * Closes after what is already queued has gone out (e.g. the {@code rate_limited} replies before a 4029). Nothing
     * more is queued from now on. A peer that does not read is ended by the sweep instead ({@link #terminate}).
     */
    boolean close(int code, String reason) {
        if (!CLOSING.compareAndSet(this, false, true)) {
            return false;
        }
        queue.addAlways(new Outbound.Close(code, reason));
        wake();
        return true;
    }

    /**
     * Closes now: what is queued is discarded and the writer closes the transport next, taking over from a send that
     * has not completed. False when a verdict was given before (the first one stands; the writer is still
     * prodded, so a verdict given during a send that then got stuck is carried out by the next call).
     */
    boolean terminate(int code, String reason) {
        closing = true;
        boolean first = VERDICT.compareAndSet(this, null, new Outbound.Close(code, reason));
        if (!wake() && send.abandon()) {
            runWriter(); // the send in flight holds the writer's role and may never complete: take it over
        }
        return first;
    }

    /** The peer or the container closed the connection: the writer discards what is queued and stops. */
    void peerClosed() {
        closing = true;
        peerClosed = true;
        if (!wake() && send.abandon()) {
            runWriter();
        }
    }

    /**
     * Starts the writer unless it is running (or waiting for a send): true when this call took the writer's role.
     * For the connection a {@link WriteThrough} bracket serves, the writer runs on this thread when the bracket ends;
     * otherwise on the pool.
     */
    private boolean wake() {
        if (WRITING.compareAndSet(this, false, true)) {
            if (!WriteThrough.defer(this)) {
                runWriter();
            }
            return true;
        }
        return false;
    }

    /** Runs the writer on this thread, which took its role in a {@link WriteThrough} bracket that has just ended. */
    void writeHere() {
        drain();
    }

    /** Runs the writer, which this thread holds the role of, on the executor (here, when it no longer takes tasks). */
    private void runWriter() {
        try {
            writers.execute(this::drain);
        } catch (RejectedExecutionException e) {
            drain(); // shutting down: this thread holds the role, so it writes
        }
    }

    /** The single writer: runs until the queue is empty, or until an asynchronous send completes later. */
    private void drain() {
        send.idle();
        while (true) {
            if (end.finished() || peerClosed) {
                // nothing is written after the close; what an offer racing with it added is discarded here
                end.finish();
                discard();
                writing = false;
                if (queue.isEmpty() || !WRITING.compareAndSet(this, false, true)) {
                    return;
                }
                continue;
            }
            Outbound.Close now = verdict;
            if (now != null) {
                finish(now);
                continue;
            }
            if (ping != null) { // a plain read first: the swap costs a fence on every frame otherwise
                ByteBuffer payload = (ByteBuffer) PING.getAndSet(this, null);
                if (payload != null) {
                    transport.ping(payload);
                }
            }
            Outbound item = carry;
            if (item != null) {
                carry = null;
            } else {
                item = queue.poll();
            }
            if (item == null) {
                writing = false;
                // something queued (or asked for) between poll() and set(false) found writing=true and started no writer
                boolean pending = !queue.isEmpty() || ping != null || verdict != null || peerClosed;
                if (!pending || !WRITING.compareAndSet(this, false, true)) {
                    return;
                }
                continue;
            }
            String text = queue.took(item);
            if (item instanceof Outbound.Close close) {
                finish(close);
                continue;
            }
            if (item instanceof Outbound.Binary binary) {
                send.start(1);
                transport.sendBinary(binary.data(), onSent);
            } else {
                if (text == null) {
                    continue; // conflated away
                }
                text = next.compose(text, queue, onSentAhead);
                carry = next.carry(); // not text: it goes on its own, next
                send.start(next.messages());
                transport.sendText(text, onSent);
            }
            if (send.returnedBeforeCompletion()) {
                if ((verdict == null && !peerClosed) || !send.abandon()) {
                    return; // sent(...) continues the loop when the container completes the send
                }
                continue; // a verdict came during the send: it goes now, not after a completion that may never come
            }
            send.idle();
        }
    }

    /** Nanos when the writer finished (closed the transport, or saw the peer's close), 0 before. */
    long finishedNanos() {
        return end.finishedNanos();
    }

    /** True once the writer's close call returned, or the peer closed: nothing is left to send on this connection. */
    boolean closedOut() {
        return end.closedOut() || peerClosed;
    }

    /** Writer only: discards the queue and closes the transport (see {@link OutputEnd#close}); nothing is written after. */
    private void finish(Outbound.Close close) {
        end.finish();
        discard();
        end.close(close, send.startedNanos() != 0);
    }

    /** Writer only. */
    private void discard() {
        if (carry != null) {
            queue.took(carry);
            carry = null;
        }
        queue.discard();
    }

    /** The container completed a send, on any thread. */
    private void sent(Throwable failure) {
        long started = send.startedNanos();
        long now = System.nanoTime(); // one clock read per send: its completion time and its duration
        if (failure == null) {
            send.succeeded(now);
        } else {
            failed(failure);
        }
        if (send.completedInline()) {
            sendTook(started, now);
            return; // the writer, still in drain(), goes on
        }
        if (send.completedLater()) {
            sendTook(started, now);
            if (next.ahead() && !queue.isEmpty()) {
                runWriter(); // sent from a writer thread, not the container's I/O thread, it goes out in one write
            } else {
                drain(); // this thread is the writer now
            }
        }
        // ABANDONED: terminate() took the writer's role over; this late completion changes nothing
    }

    /** A send failed or timed out (on any thread; {@code null}: it did not): the connection ends with 4008. */
    private void failed(Throwable failure) {
        if (failure != null && !end.finished() && VERDICT.compareAndSet(this, null,
                new Outbound.Close(CloseCodes.SLOW_CONSUMER, "slow consumer: send failed or timed out"))) {
            closing = true; // the peer is not reading, or is gone
            onSlowConsumer.run();
        }
    }

    /** A send that started at {@code startedNanos} (0: unknown, not told) completed at {@code nowNanos}. */
    private void sendTook(long startedNanos, long nowNanos) {
        if (startedNanos != 0) {
            telemetry.sendCompleted(nowNanos - startedNanos);
        }
    }
}
