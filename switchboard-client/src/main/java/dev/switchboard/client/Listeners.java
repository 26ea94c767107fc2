package dev.switchboard.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The listeners of one kind of event. Called on the client's event thread, in the order added; a listener that throws
 * is logged and the others still run (an application's bug must not break the client).
 */
final class Listeners<T> {

    private static final System.Logger LOG = System.getLogger(Listeners.class.getName());

    private final List<Consumer<? super T>> listeners = new CopyOnWriteArrayList<>();

    /** Adds {@code listener}; the returned handle removes it. */
    Registration add(Consumer<? super T> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void emit(T event) {
        for (Consumer<? super T> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a Switchboard listener threw", e);
            }
        }
    }

    void clear() {
        listeners.clear();
    }
}
