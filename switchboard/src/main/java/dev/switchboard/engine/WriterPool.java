package dev.switchboard.engine;

import dev.switchboard.config.Settings;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that drain outbound queues, one timer thread, and two background threads. Container threads and
 * application threads (publishers) only queue, and the writers here send — except the answer to the peer a
 * container thread is serving ({@code reply}, {@code ack}, …), which that thread sends itself when the connection's
 * writer is idle ({@link WriteThrough}). A slow client never holds up a publisher. Threads come from the factory it
 * is given: in a container, the default managed thread factory, so they carry the application's context.
 */
public final class WriterPool implements Executor {

    private final ThreadFactory threadFactory;
    private final ExecutorService executor;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService background;
    private final ExecutorService closer;

    public WriterPool(Settings settings, ThreadFactory threadFactory) {
        this.threadFactory = threadFactory;
        executor = new ThreadPoolExecutor(settings.writerThreads(), settings.writerThreads(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), threadFactory);
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, threadFactory);
        timers.setRemoveOnCancelPolicy(true);
        scheduler = timers;
        background = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), threadFactory);
        // at most 64 closes waiting at once; past that the writer closes itself (bounded, as before)
        closer = new ThreadPoolExecutor(0, 64, 30, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
                threadFactory, new ThreadPoolExecutor.CallerRunsPolicy());
    }

    /**
     * Threads for closing a connection whose last send has not completed (a peer that stopped reading): Open Liberty's
     * {@code Session.close} waits for that write (WsocConnLink.okToWrite, seen in a thread dump of QueueBoundIT), which
     * held both writers and starved every other connection. Idle threads end after 30 s.
     */
    Executor closer() {
        return closer;
    }

    /**
     * Two threads for work that may wait for the cluster's store (gap fills, resynchronization, presence refreshes):
     * never the writers, never the thread that delivers publications in order, never under a room's lock.
     */
    Executor background() {
        return background;
    }

    /** The container's thread factory, for other long-lived threads of the engine. */
    public java.util.concurrent.ThreadFactory threadFactory() {
        return threadFactory;
    }

    /** One timer thread: heartbeats, presence coalescing, request timeouts. Tasks must be short. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    /** Stops the threads: the writers finish what is queued (the engine has sent its 1001s by then); the others stop now. */
    public void stop() {
        executor.shutdown();
        background.shutdownNow();
        closer.shutdown();
        scheduler.shutdownNow();
    }
}
