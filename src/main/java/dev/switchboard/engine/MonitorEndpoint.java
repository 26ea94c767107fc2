package dev.switchboard.engine;

import dev.switchboard.protocol.ClientMessage;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.ServerMessage;
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
 * {@code /ws/monitor}: server push only — the live server log ({@code log}) and this node's counters once a second
 * ({@code stats}). It answers {@code ping} with {@code pong}; anything else gets an {@code error}.
 */
@ServerEndpoint(value = "/ws/monitor", configurator = HandshakeConfigurator.class)
public class MonitorEndpoint {

    @Inject
    Hub hub;

    @Inject
    dev.switchboard.security.Handshakes handshakes;

    @Inject
    Monitor monitor;

    @OnOpen
    public void open(Session session) {
        Connection connection = Endpoints.open(hub, handshakes, session, "/ws/monitor", false);
        if (connection != null) {
            monitor.subscribe(connection);
        }
    }

    @OnMessage
    public void text(String text, Session session) {
        Connection connection = Endpoints.connection(session);
        if (connection == null) {
            return;
        }
        connection.messageReceived();
        ClientMessage message = Codec.decode(text);
        if (message instanceof ClientMessage.Ping ping) {
            connection.enqueue(Codec.encode(new ServerMessage.Pong(ping.id())));
        } else {
            connection.enqueue(Codec.encode(new ServerMessage.Error(message.id(), ErrorCode.UNKNOWN_TYPE,
                    "/ws/monitor is push-only: it accepts ping and nothing else", null)));
        }
    }

    @OnMessage
    public void pong(PongMessage pong, Session session) {
        Endpoints.pong(session, pong);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        Connection connection = Endpoints.connection(session);
        if (connection != null) {
            monitor.unsubscribe(connection);
        }
        Endpoints.close(hub, session, reason);
    }

    @OnError
    public void error(Session session, Throwable failure) {
        Endpoints.error(session, failure);
    }
}
