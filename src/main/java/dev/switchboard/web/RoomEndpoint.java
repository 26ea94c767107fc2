package dev.switchboard.web;

import dev.switchboard.engine.Connection;
import dev.switchboard.engine.Hub;
import dev.switchboard.security.Handshakes;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;

/**
 * {@code /ws/rooms/{room}} for plain clients (wscat, IoT devices, scripts): joined on open, every text frame is
 * published to the room as {@code data} (parsed when it is JSON, a JSON string otherwise), every binary frame is
 * fanned out as binary to the room's other plain connections. It receives the same {@code joined},
 * {@code message} and {@code presence_diff} frames as {@code /ws}, and no {@code welcome}.
 */
@ServerEndpoint(value = "/ws/rooms/{room}", configurator = HandshakeConfigurator.class)
public class RoomEndpoint {

    /** Set by {@link HandshakeConfigurator#getEndpointInstance}, as are the other beans below. */
    Hub hub;

    Handshakes handshakes;

    @OnOpen
    public void open(Session session, @PathParam("room") String room) {
        Endpoints.open(hub.sessions(), handshakes, session, "/ws/rooms/" + room);
    }

    @OnMessage
    public void text(String text, Session session, @PathParam("room") String room) {
        Connection connection = Endpoints.connection(session);
        if (connection != null) {
            hub.sessions().text(connection, room, text);
        }
    }

    @OnMessage
    public void binary(ByteBuffer data, Session session, @PathParam("room") String room) {
        Connection connection = Endpoints.connection(session);
        if (connection != null) {
            hub.sessions().binary(connection, room, data);
        }
    }

    @OnMessage
    public void pong(PongMessage pong, Session session) {
        Endpoints.pong(hub.sessions(), session, pong);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        Endpoints.close(hub.sessions(), session, reason);
    }

    @OnError
    public void error(Session session, Throwable failure) {
        Endpoints.error(session, failure);
    }
}
