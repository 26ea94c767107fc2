package dev.switchboard.test;

import dev.switchboard.SwitchboardEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Records every {@link SwitchboardEvent} the application's Switchboard fires, for in-container tests: add it to the
 * deployment ({@link SwitchboardArchives#withRecorder}) and {@code @Inject} it into the test.
 * {@link #await} waits (bounded) for an event and fails with the events that were fired instead.
 */
@ApplicationScoped
public class SwitchboardEventRecorder {

    private final List<SwitchboardEvent> events = new ArrayList<>();

    void record(@Observes SwitchboardEvent event) {
        synchronized (events) {
            events.add(event);
            events.notifyAll();
        }
    }

    /** Every event so far, in the order fired. */
    public List<SwitchboardEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** The events of {@code type} so far. */
    public <E extends SwitchboardEvent> List<E> events(Class<E> type) {
        return events().stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The first event of {@code type} that {@code matches}, fired before or within {@link Await#DEFAULT}. */
    public <E extends SwitchboardEvent> E await(Class<E> type, Predicate<? super E> matches) {
        return await(type, matches, Await.DEFAULT);
    }

    public <E extends SwitchboardEvent> E await(Class<E> type, Predicate<? super E> matches, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        synchronized (events) {
            while (true) {
                for (SwitchboardEvent event : events) {
                    if (type.isInstance(event) && matches.test(type.cast(event))) {
                        return type.cast(event);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + type.getSimpleName() + " as expected within " + bound.toMillis()
                            + " ms; fired: " + events);
                }
                try {
                    events.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Forgets what was recorded (between tests sharing a deployment). */
    public void clear() {
        synchronized (events) {
            events.clear();
        }
    }
}
