package dev.switchboard.security;

import dev.switchboard.protocol.RoomNames;

/**
 * Personal streams: the room {@code user:<name>} is user {@code <name>}'s own recoverable stream — direct messages
 * kept with offsets ({@code send} with {@code recoverable}, {@code Switchboard.sendToUserStream}), recovered with
 * {@code since} after a reconnect to any node, like any room's. Its rules hold whatever the application's
 * {@link RoomAuthorizer} says ({@link #guard}): only its owner joins it, reads its history, presence and occupancy;
 * nobody publishes into it over the socket or as a user over HTTP — the server does (the application, a server key),
 * or {@code send recoverable} on behalf of a sender that {@link RoomAuthorizer#allowsDirect may send} to the owner.
 */
public final class PersonalStreams {

    /** The room class of personal streams. */
    public static final String CLASS = "user";
    private static final String PREFIX = CLASS + ":";

    private PersonalStreams() {
    }

    /** The personal stream of {@code user}, or null when that user's name cannot name a room. */
    public static String room(String user) {
        String room = PREFIX + user;
        return RoomNames.isValid(room) ? room : null;
    }

    /** The personal stream of {@code user}; throws {@link IllegalArgumentException} when the name cannot name a room. */
    public static String of(String user) {
        String room = room(user);
        if (room == null) {
            throw new IllegalArgumentException("user '" + user + "' has no personal stream: its name is not a room name's");
        }
        return room;
    }

    /** The owner of {@code room} when it is a personal stream; null otherwise. */
    public static String owner(String room) {
        return room != null && room.startsWith(PREFIX) ? room.substring(PREFIX.length()) : null;
    }

    /** {@code app}'s rules, with a personal stream's own before them. */
    public static RoomAuthorizer guard(RoomAuthorizer app) {
        return app instanceof Guarded ? app : new Guarded(app);
    }

    private record Guarded(RoomAuthorizer app) implements RoomAuthorizer {
        @Override
        public boolean allows(Caller caller, Action action, String room) {
            String owner = owner(room);
            if (owner == null) {
                return app.allows(caller, action, room);
            }
            return action != Action.PUBLISH && caller != null && !caller.anonymous() && owner.equals(caller.name());
        }

        @Override
        public boolean allowsDirect(Caller caller, String user) {
            return app.allowsDirect(caller, user);
        }
    }
}
