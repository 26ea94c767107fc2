package dev.switchboard.engine;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A transport for the engine's unit tests: records frames and pings, completes sends on {@code completer} (another
 * thread, as a container does), never ({@link #stalled}), or only after the send call itself was held
 * ({@link #holdingCalls}). It counts what no container allows and the single writer must prevent: calls that overlap
 * (a close during a send call included), sends that overlap, and calls after the close.
 */
final class TestTransport implements Transport {

    final List<Object> frames = new CopyOnWriteArrayList<>();
    final List<ByteBuffer> pings = new CopyOnWriteArrayList<>();
    /** Sends started while another send had not completed. */
    final AtomicInteger overlapping = new AtomicInteger();
    /** Calls (send, ping, close) made while another call was still running. */
    final AtomicInteger concurrentCalls = new AtomicInteger();
    /** Calls made after the close. */
    final AtomicInteger afterClose = new AtomicInteger();
    final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
    /** Send calls held for 10 s without being released ({@link #holdingCalls}). */
    final AtomicInteger heldTooLong = new AtomicInteger();
    /** The threads send calls were made on. */
    final java.util.Set<Thread> sendThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** When set, a send call made while it answers true is counted in {@link #sentWhileForbidden} (e.g. a lock held). */
    volatile java.util.function.BooleanSupplier forbidden;
    final AtomicInteger sentWhileForbidden = new AtomicInteger();
    /** When set, run inside every send call, on its thread (a container calling back into the engine). */
    volatile Runnable duringSend;
    /** Counted down when a send call has started (for tests that hold it). */
    final CountDownLatch sendEntered = new CountDownLatch(1);
    private final AtomicInteger calling = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Executor completer;
    private final boolean stalled;
    private final CountDownLatch callsHeld;
    /** Takes sends ahead ({@link Transport#takesSendsAhead}): sends in flight at once are then allowed, not counted. */
    private final boolean ahead;
    /** Most sends in flight at once. */
    final AtomicInteger mostInFlight = new AtomicInteger();
    /** When set, a frame it accepts completes with a failure (as a container's send that failed or timed out). */
    volatile java.util.function.Predicate<Object> failing;

    private TestTransport(Executor completer, boolean stalled, CountDownLatch callsHeld) {
        this(completer, stalled, callsHeld, false);
    }

    private TestTransport(Executor completer, boolean stalled, CountDownLatch callsHeld, boolean ahead) {
        this.completer = completer;
        this.stalled = stalled;
        this.callsHeld = callsHeld;
        this.ahead = ahead;
    }

    /** Completes every send later on {@code executor}, in order, and takes sends while others are in flight (Undertow). */
    static TestTransport takingSendsAhead(Executor executor) {
        return new TestTransport(executor, false, null, true);
    }

    @Override
    public boolean takesSendsAhead() {
        return ahead;
    }

    /** Completes every send on the caller's thread. */
    static TestTransport inline() {
        return new TestTransport(Runnable::run, false, null);
    }

    /** Completes every send later on {@code executor}. */
    static TestTransport async(Executor executor) {
        return new TestTransport(executor, false, null);
    }

    /** A peer that stopped reading: no send ever completes. */
    static TestTransport stalled() {
        return new TestTransport(Runnable::run, true, null);
    }

    /** Every send call blocks inside the container until {@code release}, then completes (a container busy writing). */
    static TestTransport holdingCalls(CountDownLatch release) {
        return new TestTransport(Runnable::run, false, release);
    }

    @Override
    public void sendText(String text, Consumer<Throwable> done) {
        send(text, done);
    }

    @Override
    public void sendBinary(ByteBuffer data, Consumer<Throwable> done) {
        send(data, done);
    }

    private void send(Object frame, Consumer<Throwable> done) {
        enter();
        try {
            int now = inFlight.incrementAndGet();
            mostInFlight.accumulateAndGet(now, Math::max);
            if (now > 1 && !ahead) {
                overlapping.incrementAndGet();
            }
            frames.add(frame);
            sendThreads.add(Thread.currentThread());
            java.util.function.BooleanSupplier rule = forbidden;
            if (rule != null && rule.getAsBoolean()) {
                sentWhileForbidden.incrementAndGet();
            }
            sendEntered.countDown();
            Runnable callback = duringSend;
            if (callback != null) {
                callback.run();
            }
            if (callsHeld != null) {
                try {
                    if (!callsHeld.await(10, TimeUnit.SECONDS)) {
                        heldTooLong.incrementAndGet(); // the test never released it: it asserts this is 0
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            calling.decrementAndGet();
        }
        if (stalled) {
            return;
        }
        java.util.function.Predicate<Object> fails = failing;
        Throwable failure = fails != null && fails.test(frame) ? new java.io.IOException("send failed") : null;
        completer.execute(() -> {
            inFlight.decrementAndGet();
            done.accept(failure);
        });
    }

    @Override
    public void ping(ByteBuffer payload) {
        enter();
        pings.add(payload);
        calling.decrementAndGet();
    }

    @Override
    public void close(int code, String reason) {
        enter();
        closedWith.complete(code);
        calling.decrementAndGet();
    }

    private void enter() {
        if (calling.incrementAndGet() > 1) {
            concurrentCalls.incrementAndGet();
        }
        if (closedWith.isDone()) {
            afterClose.incrementAndGet();
        }
    }

    List<String> texts() {
        return frames.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
}
