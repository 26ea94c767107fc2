package dev.switchboard.engine;

import jakarta.json.JsonValue;

/** A room whose log is this node's memory: offsets assigned under the room's lock; a new room has a new epoch. */
final class LocalRoomLog extends RoomLog {

    LocalRoomLog(Room room) {
        super(room, room.newHistory());
    }

    @Override
    Published publish(String from, JsonValue data, java.util.Map<String, String> tags, long nowMillis, String key,
                      long keyWindowMillis) {
        return room.locked(() -> {
            if (room.retiredLocked()) {
                return null;
            }
            room.touchLocked(nowMillis);
            return publishHereOnceLocked(from, data, tags, nowMillis, key, keyWindowMillis);
        });
    }
}
