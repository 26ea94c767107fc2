package dev.switchboard.protocol;

import java.util.regex.Pattern;

/**
 * The one rule for room names, everywhere a room is named (the {@code /ws} protocol, {@code /ws/rooms/{room}}, the
 * HTTP API, the Java API): 1 to 128 letters, digits and {@code _ . : @ -}. A room's class is the part of its name
 * before the first {@code :} ({@code ticker:EURUSD} is of class {@code ticker}); it selects the room's policy.
 */
public final class RoomNames {

    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9_.:@-]{1,128}");
    /** What a client is told when a name breaks the rule. */
    public static final String RULE = "use 1-128 letters, digits and _ . : @ -";

    private RoomNames() {
    }

    public static boolean isValid(String room) {
        return room != null && PATTERN.matcher(room).matches();
    }

    /** The class of {@code room}: the part before the first {@code :}, or empty when there is none. */
    public static String classOf(String room) {
        int colon = room.indexOf(':');
        return colon < 0 ? "" : room.substring(0, colon);
    }
}
