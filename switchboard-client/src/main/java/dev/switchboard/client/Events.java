package dev.switchboard.client;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;

/** What the client hands its listeners: one record per event, decoded from the server's messages (docs/PROTOCOL.md). */
public final class Events {

    private Events() {
    }

    /** The server's {@code welcome}: this connection's session and user, and how long its credentials hold (or null). */
    public record Welcome(String session, String user, long heartbeatMs, Long expiresInMs) {
        static Welcome of(JsonObject m) {
            return new Welcome(m.getString("session", null), m.getString("user", null),
                    m.getJsonNumber("heartbeatMs") == null ? 0 : m.getJsonNumber("heartbeatMs").longValue(),
                    m.getJsonNumber("expiresInMs") == null ? null : m.getJsonNumber("expiresInMs").longValue());
        }
    }

    /** The connection closed; {@code willReconnect} says whether the client tries again. */
    public record Closed(int code, String reason, boolean willReconnect) {
    }

    /** A publication in a joined room, in offset order, once. {@code from} is null for the server's own. */
    /** A publication; {@code tags} empty when it has none. */
    public record Publication(String room, String epoch, long offset, String from, long ts, JsonValue data,
                              java.util.Map<String, String> tags, Codec codec) {
        /** The payload decoded into {@code type} with JSON-B. */
        public <T> T data(Class<T> type) {
            return codec.decode(data, type);
        }
    }

    /** How many users are in a room, with how many connections ({@link SwitchboardClient#occupancy}). */
    public record Occupancy(String room, int users, int connections) {
    }

    /**
     * A page of a room's history ({@link SwitchboardClient#history}): the room's epoch and latest offset now, and its
     * publications. {@code recovered} (only when asked with a position): false when the page could not start right
     * after it (another epoch, or older than what is kept).
     */
    public record HistoryPage(String room, String epoch, long offset, Boolean recovered, List<Publication> publications) {
    }

    /**
     * The answer to a join (or a rejoin after a reconnect). {@code recovered}: null when the join asked for nothing,
     * true when every missed publication follows, false when they could not be (reload your state).
     */
    public record Joined(String room, String epoch, long offset, Boolean recovered, List<Member> presence) {
    }

    /** A publish the server accepted: its room and offset (the first one's, when its idempotency key was seen). */
    public record Ack(String room, long offset) {
    }

    /** A direct message to this user, or a push from the application ({@code from} null). */
    public record Direct(String from, JsonValue data, Codec codec) {
        public <T> T data(Class<T> type) {
            return codec.decode(data, type);
        }
    }

    /** A member of a room, with the number of its connections there. */
    public record Member(String user, int connections) {
    }
}
