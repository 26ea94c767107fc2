package dev.switchboard.engine;


/**
 * The one send a connection's writer has in flight: where it stands, when it started, how many messages it carries.
 * Its phase moves by compare-and-set between the writer (inside {@code transport.send}, then after it returns), the
 * thread that completes the send, and a verdict that takes the writer's role from a send that never completes
 * ({@link Outbox}: {@code drain}, {@code sent}, {@code terminate}).
 */
final class SendInFlight {

    private static final java.lang.invoke.VarHandle PHASE = Handles.field(SendInFlight.class, "phase", int.class);
    private static final java.lang.invoke.VarHandle SENT = Handles.field(SendInFlight.class, "sent", long.class);

    private static final int IDLE = 0;
    private static final int SENDING = 1;           // the writer is inside transport.send
    private static final int COMPLETED_INLINE = 2;  // the send completed before transport.send returned
    private static final int COMPLETING_LATER = 3;  // the writer returned; the completion continues the loop
    private static final int ABANDONED = 4;         // terminate() took the writer's role from the send

    private volatile int phase; // through PHASE
    /** Messages the peer's side took, in all (a batch counts its messages). */
    private volatile long sent; // through SENT
    /** Nanos when a send last completed without failure (the peer's side took the bytes), 0 before. */
    private volatile long lastSentNanos;
    /** Nanos when the first send completed (on /ws: the welcome), 0 before. */
    private volatile long firstSentNanos;
    private volatile long startedNanos;
    private volatile int messages = 1;

    /** Writer: a send of {@code messages} messages starts now. */
    void start(int count) {
        messages = count;
        startedNanos = System.nanoTime();
        phase = SENDING;
    }

    /** Writer: no send in flight. */
    void idle() {
        phase = IDLE;
    }

    /** Writer: {@code transport.send} returned before the send completed; its completion continues the loop. */
    boolean returnedBeforeCompletion() {
        return PHASE.compareAndSet(this, SENDING, COMPLETING_LATER);
    }

    /** Any thread: takes the writer's role from a send that has not completed (and may never); its completion is ignored. */
    boolean abandon() {
        return PHASE.compareAndSet(this, COMPLETING_LATER, ABANDONED);
    }

    /** Completion: the send completed while the writer was still inside {@code transport.send}; it goes on. */
    boolean completedInline() {
        if (PHASE.compareAndSet(this, SENDING, COMPLETED_INLINE)) {
            startedNanos = 0;
            return true;
        }
        return false;
    }

    /** Completion: the writer had returned; the completing thread is the writer now. */
    boolean completedLater() {
        if (PHASE.compareAndSet(this, COMPLETING_LATER, IDLE)) {
            startedNanos = 0;
            return true;
        }
        return false;
    }

    /** Nanos when the send in flight started, or 0 when none is in flight. */
    long startedNanos() {
        return startedNanos;
    }

    /** Completion: the send succeeded at {@code nowNanos}; its messages count as sent. */
    void succeeded(long nowNanos) {
        SENT.getAndAdd(this, (long) messages);
        if (lastSentNanos == 0) {
            firstSentNanos = nowNanos; // the writer's own sequence: one completion at a time
        }
        lastSentNanos = nowNanos;
    }

    long firstSentNanos() {
        return firstSentNanos;
    }

    long sent() {
        return sent;
    }

    /** Nanos when a send last completed without failure (the peer's side took the bytes), 0 before. */
    long lastSentNanos() {
        return lastSentNanos;
    }
}
