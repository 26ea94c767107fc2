package dev.switchboard.web;

import dev.switchboard.engine.Connection;
import dev.switchboard.engine.Sessions;
import dev.switchboard.security.Handshakes;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;

/**
 * {@code <switchboard.path>/rooms/{room}} for plain clients (wscat, IoT devices, scripts), one instance per connection:
 * joined on open, every text frame is published to the room as {@code data} (parsed when it is JSON, a JSON string
 * otherwise), every binary frame is fanned out as binary to the room's other plain connections. It receives the same
 * {@code joined}, {@code message} and {@code presence_diff} frames as the protocol's endpoint, and no {@code welcome}.
 */
public final class RoomEndpoint extends Endpoint {

    private final Sessions sessions;
    private final Handshakes handshakes;

    RoomEndpoint(Sessions sessions, Handshakes handshakes) {
        this.sessions = sessions;
        this.handshakes = handshakes;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        String room = session.getPathParameters().get("room");
        Connection connection = Endpoints.open(sessions, handshakes, session, "/ws/rooms/" + room);
        if (connection == null) {
            return;
        }
        session.addMessageHandler(String.class, text -> sessions.text(connection, room, text));
        session.addMessageHandler(ByteBuffer.class, data -> sessions.binary(connection, room, data));
        session.addMessageHandler(PongMessage.class, pong -> sessions.pong(connection, pong.getApplicationData()));
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        Endpoints.close(sessions, session, reason);
    }

    @Override
    public void onError(Session session, Throwable failure) {
        Endpoints.error(session, failure);
    }
}
