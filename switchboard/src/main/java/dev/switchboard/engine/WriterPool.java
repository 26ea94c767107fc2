package dev.switchboard.engine;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import dev.switchboard.config.Settings;
import jakarta.inject.Inject;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that drain outbound queues, one timer thread, and two background threads. Container threads and
 * application threads (publishers) only queue, and the writers here send — except the answer to the peer a
 * container thread is serving ({@code reply}, {@code ack}, …), which that thread sends itself when the connection's
 * writer is idle ({@link WriteThrough}). A slow client never holds up a publisher. Threads come from the container's
 * default {@link ManagedThreadFactory}, so they carry the application's context.
 */
@ApplicationScoped
public class WriterPool implements Executor {

    /**
     * The container's default managed thread factory, looked up by its standard name when the pool starts. Not
     * {@code @Resource}-injected: Payara Micro 6 does not declare the environment entries of classes in a library JAR
     * of WEB-INF/lib and fails the deployment ("Exception attempting to inject Env-Prop:
     * dev.switchboard.engine.WriterPool/threadFactory"), while the same class in WEB-INF/classes deploys.
     */
    private java.util.concurrent.ThreadFactory threadFactory;

    @Inject
    Settings settings;

    private ExecutorService executor;
    private ScheduledExecutorService scheduler;
    private ExecutorService background;
    private ExecutorService closer;

    @jakarta.annotation.PostConstruct
    void start() {
        threadFactory = containerThreadFactory();
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

    private static java.util.concurrent.ThreadFactory containerThreadFactory() {
        try {
            return (ManagedThreadFactory) javax.naming.InitialContext.doLookup(DEFAULT_THREAD_FACTORY);
        } catch (javax.naming.NamingException | ClassCastException e) {
            throw new IllegalStateException("No " + DEFAULT_THREAD_FACTORY + " in this container: Switchboard needs"
                    + " Jakarta Concurrency (on Open Liberty, the concurrent-3.0 feature)", e);
        }
    }

    /** Jakarta EE's default managed thread factory, in every Jakarta EE 10 web profile server. */
    private static final String DEFAULT_THREAD_FACTORY = "java:comp/DefaultManagedThreadFactory";

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
    java.util.concurrent.ThreadFactory threadFactory() {
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

    @PreDestroy
    void stop() {
        executor.shutdown();
        background.shutdownNow();
        closer.shutdown();
        scheduler.shutdownNow();
    }
}
