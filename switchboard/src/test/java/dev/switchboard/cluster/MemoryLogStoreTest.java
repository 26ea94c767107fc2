package dev.switchboard.cluster;

import org.junit.jupiter.api.BeforeEach;

class MemoryLogStoreTest extends LogStoreContract {

    private final MemoryLogStore store = new MemoryLogStore();

    @BeforeEach
    void subscribe() {
        store.subscribe(listener, Runnable::run);
    }

    @Override
    LogStore store() {
        return store;
    }

    @Override
    String room(String name) {
        return name;
    }
}
