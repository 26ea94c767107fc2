package dev.switchboard;

import jakarta.json.JsonValue;

/**
 * Lifecycle and publishing as CDI events. Observe them with {@code @Observes} (synchronous: keep observers fast,
 * they run on the thread that caused the event, never under a Switchboard lock) or {@code @ObservesAsync}.
 */
public sealed interface SwitchboardEvent {

    /** A connection completed its handshake and was registered. */
    record ConnectionOpened(String connection, String user, String endpoint) implements SwitchboardEvent {
    }

    /** A connection ended; {@code closeCode} as in {@link CloseCodes}. */
    record ConnectionClosed(String connection, String user, int closeCode, String reason) implements SwitchboardEvent {
    }

    /** A connection joined a room. */
    record RoomJoined(String room, String connection, String user) implements SwitchboardEvent {
    }

    /** A connection left a room (also fired for every room when it closes). */
    record RoomLeft(String room, String connection, String user) implements SwitchboardEvent {
    }

    /** A publication was accepted into a room; {@code from} is {@code null} for server-side publications. */
    record MessagePublished(String room, String epoch, long offset, String from, JsonValue data)
            implements SwitchboardEvent {
    }
}
