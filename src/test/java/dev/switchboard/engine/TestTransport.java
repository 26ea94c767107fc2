package dev.switchboard.engine;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A transport for the engine's unit tests: records frames, completes sends on {@code completer} (another thread,
 * as a container does) or never ({@link #stalled}), and counts sends that overlap, which no container allows.
 */
final class TestTransport implements Transport {

    final List<Object> frames = new CopyOnWriteArrayList<>();
    final AtomicInteger overlapping = new AtomicInteger();
    final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Executor completer;
    private final boolean stalled;

    private TestTransport(Executor completer, boolean stalled) {
        this.completer = completer;
        this.stalled = stalled;
    }

    /** Completes every send on the caller's thread. */
    static TestTransport inline() {
        return new TestTransport(Runnable::run, false);
    }

    /** Completes every send later on {@code executor}. */
    static TestTransport async(Executor executor) {
        return new TestTransport(executor, false);
    }

    /** A peer that stopped reading: the first send never completes. */
    static TestTransport stalled() {
        return new TestTransport(Runnable::run, true);
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
        if (inFlight.incrementAndGet() > 1) {
            overlapping.incrementAndGet();
        }
        frames.add(frame);
        if (stalled) {
            return;
        }
        completer.execute(() -> {
            inFlight.decrementAndGet();
            done.accept(null);
        });
    }

    @Override
    public void ping(ByteBuffer payload) {
    }

    @Override
    public void close(int code, String reason) {
        closedWith.complete(code);
    }

    List<String> texts() {
        return frames.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
}
