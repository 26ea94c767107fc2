package dev.switchboard.client;

import java.time.Duration;
import java.util.PriorityQueue;

/** A {@link Scheduler} on a virtual clock, run by the test's own thread: nothing happens until the test runs it. */
final class VirtualScheduler implements Scheduler {

    private record Task(long due, long order, Runnable run, boolean[] cancelled) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.due != b.due
            ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));
    private long now = 1_000_000;
    private long order;

    @Override
    public void execute(Runnable task) {
        tasks.add(new Task(now, order++, task, new boolean[1]));
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        boolean[] cancelled = new boolean[1];
        tasks.add(new Task(now + Math.max(0, delay.toMillis()), order++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    @Override
    public long nowMillis() {
        return now;
    }

    @Override
    public void shutdown() {
        tasks.clear();
    }

    /** Runs everything due now, including what those tasks queue for now. */
    void run() {
        advance(Duration.ZERO);
    }

    /** Moves the clock forward by {@code by}, running each task when its time comes. */
    void advance(Duration by) {
        long until = now + by.toMillis();
        while (!tasks.isEmpty() && tasks.peek().due <= until) {
            Task task = tasks.poll();
            now = Math.max(now, task.due);
            if (!task.cancelled[0]) {
                task.run.run();
            }
        }
        now = until;
    }

    /** When the next live timer is due, relative to now; -1 when none. */
    long nextDelay() {
        return tasks.stream().filter(t -> !t.cancelled[0]).mapToLong(t -> t.due - now).min().orElse(-1);
    }
}
