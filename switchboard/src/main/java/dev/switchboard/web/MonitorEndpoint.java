package dev.switchboard.web;

import dev.switchboard.engine.Connection;
import dev.switchboard.engine.Sessions;
import dev.switchboard.protocol.Codec;
import dev.switchboard.security.Handshakes;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;

/**
 * {@code <switchboard.path>/monitor}, for operators ({@code switchboard.monitor.role}, checked before the upgrade by
 * {@code HandshakeFilter}), one instance per connection: server push only — the live server log ({@code log}) and this
 * node's counters once a second ({@code stats}). It answers {@code ping} with {@code pong}; anything else gets an
 * {@code error}.
 */
public final class MonitorEndpoint extends Endpoint {

    private final Sessions sessions;
    private final Handshakes handshakes;
    private final Monitor monitor;

    MonitorEndpoint(Sessions sessions, Handshakes handshakes, Monitor monitor) {
        this.sessions = sessions;
        this.handshakes = handshakes;
        this.monitor = monitor;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        Connection connection = Endpoints.open(sessions, handshakes, session, "/ws/monitor");
        if (connection == null) {
            return;
        }
        session.addMessageHandler(String.class, text -> sessions.received(connection, Codec.decode(text)));
        session.addMessageHandler(PongMessage.class, pong -> sessions.pong(connection, pong.getApplicationData()));
        monitor.subscribe(connection);
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        Connection connection = Endpoints.connection(session);
        if (connection != null) {
            monitor.unsubscribe(connection);
        }
        Endpoints.close(sessions, session, reason);
    }

    @Override
    public void onError(Session session, Throwable failure) {
        Endpoints.error(session, failure);
    }
}
