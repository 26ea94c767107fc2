package dev.switchboard.client;

import java.time.Duration;

/**
 * The client's one event thread and its timers: every state change, timer and listener call of a client runs here,
 * one at a time. {@link #threaded} is the real one (a daemon thread per client); the unit tests use a virtual clock.
 */
public interface Scheduler {

    /** Runs {@code task} on the event thread, after what is already queued. */
    void execute(Runnable task);

    /** Runs {@code task} on the event thread after {@code delay}; the returned handle cancels it. */
    Cancellable schedule(Runnable task, Duration delay);

    /** Milliseconds of this scheduler's clock (the wall clock, or the virtual one). */
    long nowMillis();

    /** Stops the thread once the queued tasks ran; timers not yet due are dropped. */
    void shutdown();

    /** A scheduled task. */
    interface Cancellable {
        void cancel();
    }

    /** One daemon thread named {@code name}. */
    static Scheduler threaded(String name) {
        return new ThreadScheduler(name);
    }
}
