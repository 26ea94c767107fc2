package dev.switchboard.cdi;

import dev.switchboard.Rejection;
import dev.switchboard.engine.Incidents;
import dev.switchboard.protocol.ErrorCode;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The threads the application's handlers run on, and the limit on their time. Threads come from the container's
 * managed thread factory (the application's naming context: {@code java:comp} and JPA beans work in a handler); at
 * most {@code switchboard.handlers.threads} at once, made on demand and dropped after a minute idle. A caller waits
 * for its handler at most {@code switchboard.handlers.timeout-ms}; then it gets {@code timeout}, the handler's thread
 * is interrupted and what it returns is discarded.
 */
final class HandlerPool {

    private final ThreadPoolExecutor threads;
    private final Duration timeout;

    HandlerPool(ThreadFactory factory, int maxThreads, Duration timeout) {
        this.threads = new ThreadPoolExecutor(0, maxThreads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory);
        this.timeout = timeout;
    }

    /**
     * Runs {@code task} on the pool and waits for it: its value, or what it threw (unchecked, as thrown). Answers
     * {@link Rejection} {@code timeout} when it took too long, {@code busy} when every thread is taken.
     */
    <T> T call(Callable<T> task, String doing) {
        Future<T> running;
        try {
            running = threads.submit(task);
        } catch (RejectedExecutionException e) {
            throw new Rejection(ErrorCode.BUSY, "the application's handlers are all busy (" + threads.getMaximumPoolSize()
                    + " at work): try again");
        }
        try {
            return running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            running.cancel(true);
            throw new Rejection(ErrorCode.TIMEOUT, "the application's handler did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(doing, e.getCause());
        } catch (InterruptedException e) {
            running.cancel(true);
            Thread.currentThread().interrupt();
            throw new Rejection(ErrorCode.UNAVAILABLE, "the server is stopping");
        }
    }

    /** Runs {@code task} on the pool, nobody waiting; what it throws is logged as an incident. */
    void run(Runnable task, String doing) {
        try {
            threads.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    Incidents.record(doing, e);
                }
            });
        } catch (RejectedExecutionException e) {
            Incidents.record(doing + ": every handler thread was busy, so it did not run", e);
        }
    }

    void stop() {
        threads.shutdownNow();
    }
}
