package dev.switchboard.cluster;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The best-effort writes that failed while Redis answered the heartbeat — a room member's presence, a user's
 * connections — remembered until the heartbeat hands them to the listener to write again ({@link Cluster.Listener#repair}).
 * Added to from Lettuce's threads (never waits), taken by the heartbeat thread. Bounded by what this node holds: a
 * key is remembered once however often its writes fail.
 */
final class Unwritten {

    /** Room → the users whose presence there was not written. */
    private final Map<String, Set<String>> presence = new ConcurrentHashMap<>();
    private final Set<String> users = ConcurrentHashMap.newKeySet();

    void presence(String room, String user) {
        presence.compute(room, (r, those) -> { // added under the map's lock: never to a set already taken
            Set<String> now = those != null ? those : new java.util.HashSet<>();
            now.add(user);
            return now;
        });
    }

    void user(String user) {
        users.add(user);
    }

    /** What failed so far, forgotten here: a write failing while it is taken is either in it or in the next one. */
    Taken take() {
        Map<String, Set<String>> rooms = new java.util.HashMap<>();
        for (String room : presence.keySet()) {
            Set<String> those = presence.remove(room);
            if (those != null) {
                rooms.put(room, Set.copyOf(those)); // removed: nobody adds to it any more
            }
        }
        Set<String> them = new java.util.HashSet<>();
        for (String user : users) {
            if (users.remove(user)) {
                them.add(user);
            }
        }
        return new Taken(Map.copyOf(rooms), Set.copyOf(them));
    }

    /** Room → users whose presence to write again; users whose connections to write again. */
    record Taken(Map<String, Set<String>> presence, Set<String> users) {
        boolean isEmpty() {
            return presence.isEmpty() && users.isEmpty();
        }
    }
}
