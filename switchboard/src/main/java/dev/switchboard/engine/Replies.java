package dev.switchboard.engine;

import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.ServerMessage;
import java.util.Map;

/** The one way the engine answers a client: a typed message, encoded once, queued, and told to the telemetry. */
final class Replies {

    private final Telemetry telemetry;

    Replies(Telemetry telemetry) {
        this.telemetry = telemetry;
    }

    void send(Connection connection, ServerMessage message) {
        if (message instanceof ServerMessage.Ack) {
            telemetry.acked();
        } else if (message instanceof ServerMessage.Error e) {
            telemetry.errorAnswered(e.code());
        }
        connection.enqueue(Codec.encode(message));
    }

    static ServerMessage forbidden(String re, String action, String room) {
        return new ServerMessage.Error(re, ErrorCode.FORBIDDEN, "you may not " + action + " room '" + room + "'",
                Map.of("room", "forbidden"));
    }

    /** {@code internal}, the cause logged under an incident id the message names. */
    static ServerMessage incident(String re, String doing, Throwable cause) {
        return new ServerMessage.Error(re, ErrorCode.INTERNAL, Incidents.record(doing, cause), null);
    }

    static ServerMessage notJoined(String re, String room) {
        return new ServerMessage.Error(re, ErrorCode.NOT_JOINED, "join room '" + room + "' first", Map.of("room", "not joined"));
    }
}
