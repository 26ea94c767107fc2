package dev.switchboard.engine;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Inject;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that drain outbound queues. Container threads ({@code @OnMessage}) and application threads
 * (publishers) only queue; the sends happen here, so a slow client never holds up a publisher. Threads come from
 * the container's default {@link ManagedThreadFactory}, so they carry the application's context.
 */
@ApplicationScoped
public class WriterPool implements Executor {

    @Resource
    ManagedThreadFactory threadFactory;

    @Inject
    Settings settings;

    private ExecutorService executor;

    @jakarta.annotation.PostConstruct
    void start() {
        executor = new ThreadPoolExecutor(settings.writerThreads(), settings.writerThreads(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), threadFactory);
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @PreDestroy
    void stop() {
        executor.shutdown();
    }
}
