package dev.switchboard.client;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The real {@link Scheduler}: one daemon thread; a task that throws is logged and the thread goes on. */
final class ThreadScheduler implements Scheduler {

    private static final System.Logger LOG = System.getLogger(ThreadScheduler.class.getName());

    private final ScheduledExecutorService executor;

    ThreadScheduler(String name) {
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        pool.setRemoveOnCancelPolicy(true);
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor = Executors.unconfigurableScheduledExecutorService(pool);
    }

    /**
     * After {@link #shutdown()} (the client closed for good, its state final) the task runs on the caller's thread, so
     * that a call on a closed client answers {@code closed} at once instead of never.
     */
    @Override
    public void execute(Runnable task) {
        try {
            executor.execute(guarded(task));
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            guarded(task).run();
        }
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        if (executor.isShutdown()) {
            return () -> { };
        }
        ScheduledFuture<?> future = executor.schedule(guarded(task), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public long nowMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public void shutdown() {
        executor.shutdown();
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.WARNING, "a Switchboard client task failed", e);
            }
        };
    }
}
