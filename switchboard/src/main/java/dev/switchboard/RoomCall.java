package dev.switchboard;

import dev.switchboard.security.Caller;

/**
 * Who is doing what to which room, as a {@link RoomHandler} sees it.
 *
 * @param room       the room's full name, e.g. {@code orders:1042}
 * @param caller     the connection's user, its roles, whether a guest
 * @param connection the connection's id (as in {@link SwitchboardEvent}s and {@link Switchboard#request})
 */
public record RoomCall(String room, Caller caller, String connection) {

    /** The part of the room's name after its class, e.g. {@code 1042} of {@code orders:1042}; the name without one. */
    public String key() {
        int colon = room.indexOf(':');
        return colon < 0 ? room : room.substring(colon + 1);
    }

    public String user() {
        return caller.name();
    }
}
