package dev.switchboard.web;

import dev.switchboard.engine.Connection;
import dev.switchboard.engine.Hub;
import dev.switchboard.security.Handshakes;
import dev.switchboard.protocol.Codec;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/**
 * {@code /ws/monitor}: server push only — the live server log ({@code log}) and this node's counters once a second
 * ({@code stats}). It answers {@code ping} with {@code pong}; anything else gets an {@code error}.
 */
@ServerEndpoint(value = "/ws/monitor", configurator = HandshakeConfigurator.class)
public class MonitorEndpoint {

    /** Set by {@link HandshakeConfigurator#getEndpointInstance}, as are the other beans below. */
    Hub hub;

    Handshakes handshakes;

    Monitor monitor;

    @OnOpen
    public void open(Session session) {
        Connection connection = Endpoints.open(hub.sessions(), handshakes, session, "/ws/monitor");
        if (connection != null) {
            monitor.subscribe(connection);
        }
    }

    @OnMessage
    public void text(String text, Session session) {
        Connection connection = Endpoints.connection(session);
        if (connection != null) {
            hub.sessions().received(connection, Codec.decode(text)); // push-only: ping answered, the rest refused
        }
    }

    @OnMessage
    public void pong(PongMessage pong, Session session) {
        Endpoints.pong(hub.sessions(), session, pong);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        Connection connection = Endpoints.connection(session);
        if (connection != null) {
            monitor.unsubscribe(connection);
        }
        Endpoints.close(hub.sessions(), session, reason);
    }

    @OnError
    public void error(Session session, Throwable failure) {
        Endpoints.error(session, failure);
    }
}
