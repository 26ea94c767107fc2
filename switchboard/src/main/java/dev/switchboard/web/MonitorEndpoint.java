package dev.switchboard.web;

import dev.switchboard.engine.Connection;
import dev.switchboard.engine.Sessions;
import dev.switchboard.security.Handshakes;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.Subprotocols;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/**
 * {@code /ws/monitor}, for operators ({@code switchboard.monitor.role}, checked before the upgrade by
 * {@code HandshakeFilter}): server push only — the live server log ({@code log}) and this node's counters once a second
 * ({@code stats}). It answers {@code ping} with {@code pong}; anything else gets an {@code error}.
 */
// @Dependent: a bean-defining annotation, so that Open Liberty injects into the endpoint (it injects only into
// endpoint classes that are CDI beans: open-liberty issue 34986); one instance per connection, as everywhere.
@Dependent
@ServerEndpoint(value = "/ws/monitor", subprotocols = Subprotocols.V1, configurator = HandshakeConfigurator.class)
public class MonitorEndpoint {

    /**
     * The engine's entry points: the object itself (a dependent bean), not a client proxy, whose every call costs a
     * context lookup (on WildFly, building the module's name as a string) on the path of every message.
     */
    @Inject
    Sessions sessions;

    @Inject
    Handshakes handshakes;


    @Inject
    Monitor monitor;

    @OnOpen
    public void open(Session session) {
        Connection connection = Endpoints.open(sessions, handshakes, session, "/ws/monitor");
        if (connection != null) {
            monitor.subscribe(connection);
        }
    }

    @OnMessage
    public void text(String text, Session session) {
        Connection connection = Endpoints.connection(session);
        if (connection != null) {
            sessions.received(connection, Codec.decode(text)); // push-only: ping answered, the rest refused
        }
    }

    @OnMessage
    public void pong(PongMessage pong, Session session) {
        Endpoints.pong(sessions, session, pong);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        Connection connection = Endpoints.connection(session);
        if (connection != null) {
            monitor.unsubscribe(connection);
        }
        Endpoints.close(sessions, session, reason);
    }

    @OnError
    public void error(Session session, Throwable failure) {
        Endpoints.error(session, failure);
    }
}
