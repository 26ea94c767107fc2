package dev.switchboard.web;

import dev.switchboard.engine.Connection;
import dev.switchboard.engine.Sessions;
import dev.switchboard.security.Handshakes;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
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
// @Dependent: a bean-defining annotation, so that Open Liberty injects into the endpoint (it injects only into
// endpoint classes that are CDI beans: open-liberty issue 34986); one instance per connection, as everywhere.
@Dependent
@ServerEndpoint(value = "/ws/rooms/{room}", configurator = HandshakeConfigurator.class)
public class RoomEndpoint {

    /**
     * The engine's entry points: the object itself (a dependent bean), not a client proxy, whose every call costs a
     * context lookup (on WildFly, building the module's name as a string) on the path of every message.
     */
    @Inject
    Sessions sessions;

    @Inject
    Handshakes handshakes;


    @OnOpen
    public void open(Session session, @PathParam("room") String room) {
        Endpoints.open(sessions, handshakes, session, "/ws/rooms/" + room);
    }

    @OnMessage
    public void text(String text, Session session, @PathParam("room") String room) {
        Connection connection = Endpoints.connection(session);
        if (connection != null) {
            sessions.text(connection, room, text);
        }
    }

    @OnMessage
    public void binary(ByteBuffer data, Session session, @PathParam("room") String room) {
        Connection connection = Endpoints.connection(session);
        if (connection != null) {
            sessions.binary(connection, room, data);
        }
    }

    @OnMessage
    public void pong(PongMessage pong, Session session) {
        Endpoints.pong(sessions, session, pong);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        Endpoints.close(sessions, session, reason);
    }

    @OnError
    public void error(Session session, Throwable failure) {
        Endpoints.error(session, failure);
    }
}
