package dev.switchboard.client;

/** A listener or handler added to a client or room; {@link #remove()} takes it away. */
@FunctionalInterface
public interface Registration {
    void remove();
}
