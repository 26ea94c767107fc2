package dev.switchboard.security;

/**
 * Decides what a caller may do in a room. Switchboard's default is {@link RoleRoomAuthorizer} (roles per room
 * class from configuration); an application replaces it with its own CDI bean marked
 * {@code @Alternative @Priority(…)}. Called on the thread that received the message: answer quickly.
 */
public interface RoomAuthorizer {

    /** What is being attempted. */
    enum Action { JOIN, PUBLISH, PRESENCE }

    boolean allows(Caller caller, Action action, String room);

    /** Whether {@code caller} may send a direct message to {@code user}. */
    default boolean allowsDirect(Caller caller, String user) {
        return !caller.anonymous();
    }
}
