package dev.switchboard.engine;

import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import dev.switchboard.security.Caller;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the engine's unit tests share: executors like the server's (writers, a timer, background), a settings builder,
 * connections without a hub, and a bounded wait. Transports: {@link TestTransport} (inline, async, stalled).
 */
final class EngineFixture implements AutoCloseable {

    final ExecutorService writers = Executors.newFixedThreadPool(4);
    final ExecutorService completer = Executors.newFixedThreadPool(2);
    final ExecutorService background = Executors.newFixedThreadPool(2);
    final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @Override
    public void close() {
        writers.shutdownNow();
        completer.shutdownNow();
        background.shutdownNow();
        timers.shutdownNow();
    }

    /** Settings for tests: each method returns a copy with one thing changed. */
    static final class SettingsBuilder {
        int queueMessages = 100;
        long queueBytes = 1 << 20;
        Duration sendTimeout = Duration.ofSeconds(5);
        Duration heartbeat = Duration.ZERO;
        Duration coalesce = Duration.ZERO;
        Duration firstMessage = Duration.ZERO;
        RoomPolicy room = new RoomPolicy(50, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0);

        SettingsBuilder queue(int messages) {
            queueMessages = messages;
            return this;
        }

        SettingsBuilder sendTimeout(Duration timeout) {
            sendTimeout = timeout;
            return this;
        }

        SettingsBuilder heartbeat(Duration interval) {
            heartbeat = interval;
            return this;
        }

        SettingsBuilder firstMessage(Duration timeout) {
            firstMessage = timeout;
            return this;
        }

        SettingsBuilder coalesce(Duration window) {
            coalesce = window;
            return this;
        }

        SettingsBuilder room(RoomPolicy policy) {
            room = policy;
            return this;
        }

        Settings build() {
            return new Settings(65536, queueMessages, queueBytes, sendTimeout, heartbeat, Duration.ZERO, firstMessage,
                    coalesce, Duration.ofSeconds(1), 4, room, Map.of(), new Settings.Limits(0, 1, 0, 0, 0),
                    new Settings.Origins(List.of(), true),
                new Settings.Socket(false, false), null);
        }
    }

    static SettingsBuilder settings() {
        return new SettingsBuilder();
    }

    /** A connection of user {@code u} on {@code /ws}, not registered anywhere, writing on {@code writers}. */
    static Connection connection(Transport transport, Executor writers, boolean batching) {
        Outbox outbox = new Outbox(transport, writers, 1000, 1 << 20, QueueBudget.unbounded(), Telemetry.NONE, () -> { }, null);
        outbox.batching(batching);
        return new Connection("c1", new Caller("u", Set.of(), false, null), "/ws", outbox, new RateLimiter(0, 1, 0, 0));
    }

    /** Every live thread's stack, for the diagnostics of a wait that failed. */
    static String threads() {
        StringBuilder dump = new StringBuilder();
        for (java.lang.management.ThreadInfo info : java.lang.management.ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            dump.append('\n').append(info.getThreadName()).append(' ').append(info.getThreadState());
            if (info.getLockName() != null) {
                dump.append(" on ").append(info.getLockName()).append(" held by ").append(info.getLockOwnerName());
            }
            for (StackTraceElement frame : info.getStackTrace()) {
                dump.append("\n    at ").append(frame);
            }
        }
        return dump.toString();
    }

    /** Waits for {@code condition}, at most {@code limit}; fails with {@code diagnostics} otherwise. */
    static void within(Duration limit, BooleanSupplier condition, Supplier<Object> diagnostics) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit + ": " + diagnostics.get());
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }
}
