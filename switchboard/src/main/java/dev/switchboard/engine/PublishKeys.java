package dev.switchboard.engine;

import dev.switchboard.Switchboard.Publication;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A room's idempotency keys on this node: which keyed publications it made within the key window, so that a publisher
 * that retries (its connection dropped before the ack) gets the first publication's ack instead of a second
 * publication. Oldest first; expired keys are dropped as new ones come, and at most {@link #MAX_KEYS} are kept (the
 * oldest go first: a retry after that many further keyed publications in one room is published again). Under the
 * room's lock. With a shared log the store keeps the keys instead (atomically with the append); this is for a room
 * whose log is this node's.
 */
final class PublishKeys {

    static final int MAX_KEYS = 10_000;

    private record Remembered(Publication publication, long expiresMillis) {
    }

    private final Map<String, Remembered> keys = new LinkedHashMap<>();

    /** The publication {@code key} made, or null when unknown or expired. */
    Publication find(String key, long nowMillis) {
        Remembered r = keys.get(key);
        return r == null || r.expiresMillis() <= nowMillis ? null : r.publication();
    }

    void remember(String key, Publication publication, long nowMillis, long windowMillis) {
        for (Iterator<Remembered> oldest = keys.values().iterator(); oldest.hasNext(); ) {
            Remembered r = oldest.next();
            if (r.expiresMillis() > nowMillis && keys.size() < MAX_KEYS) {
                break;
            }
            oldest.remove();
        }
        keys.put(key, new Remembered(publication, nowMillis + windowMillis));
    }

    int size() {
        return keys.size();
    }
}
