package dev.switchboard.web;

import dev.switchboard.protocol.RoomNames;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where an event stream is in each of its rooms — the {@code id:} of its events, and what a reconnect presents as
 * {@code Last-Event-ID} (or {@code ?since=}) to recover: {@code room~epoch~offset} per room, comma-separated (a room
 * name has no {@code ~} nor {@code ,}). One owner: the stream's transport, on its writer (never two calls at once).
 */
final class StreamPositions {

    /** A position: the last publication the stream delivered, or where its join started it. */
    record Position(String epoch, long offset) {
    }

    /** The longest {@code Last-Event-ID} or {@code since} taken (longer: 400). */
    static final int MAX_LENGTH = 4096;
    private static final Pattern EPOCH = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Map<String, Position> byRoom = new LinkedHashMap<>();

    /**
     * The positions {@code text} names, by room; empty for null or blank.
     *
     * @throws IllegalArgumentException when it is not {@code room~epoch~offset[,…]} of valid rooms and offsets
     */
    static Map<String, Position> parse(String text) {
        Map<String, Position> positions = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return positions;
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("longer than " + MAX_LENGTH + " characters");
        }
        for (String entry : text.trim().split(",")) {
            String[] parts = entry.split("~", -1);
            if (parts.length != 3 || !RoomNames.isValid(parts[0]) || !EPOCH.matcher(parts[1]).matches()
                    || !parts[2].matches("[0-9]{1,18}")) {
                throw new IllegalArgumentException("not room~epoch~offset: '" + (entry.length() > 64
                        ? entry.substring(0, 64) + "…" : entry) + "'");
            }
            positions.put(parts[0], new Position(parts[1], Long.parseLong(parts[2])));
        }
        return positions;
    }

    /** Starts from what a reconnect presented. */
    void putAll(Map<String, Position> known) {
        byRoom.putAll(known);
    }

    /** The stream is now at {@code offset} of {@code epoch} in {@code room}. */
    void at(String room, String epoch, long offset) {
        byRoom.put(room, new Position(epoch, offset));
    }

    boolean isEmpty() {
        return byRoom.isEmpty();
    }

    /** The {@code id:} of the next event. */
    String format() {
        StringBuilder id = new StringBuilder();
        byRoom.forEach((room, p) -> {
            if (id.length() > 0) {
                id.append(',');
            }
            id.append(room).append('~').append(p.epoch()).append('~').append(p.offset());
        });
        return id.toString();
    }
}
