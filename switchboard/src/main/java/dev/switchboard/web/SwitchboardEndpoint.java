package dev.switchboard.web;

import dev.switchboard.CloseCodes;
import dev.switchboard.engine.Connection;
import dev.switchboard.engine.Sessions;
import dev.switchboard.protocol.ClientMessage;
import dev.switchboard.protocol.ClientMessageDecoder;
import dev.switchboard.protocol.Subprotocols;
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
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;

/**
 * The multiplexed endpoint {@code /ws} (docs/PROTOCOL.md). Thin: decodes, then delegates to the engine's
 * {@link dev.switchboard.engine.Sessions}. Binary frames are not part of this protocol: they close with 1003. No
 * {@code Encoder}: the engine encodes a message once ({@code Codec}), for one recipient or a whole room, and queues
 * the text; a per-session encoder would encode a broadcast once per member, and the container instantiates (on Payara,
 * through CDI) one per connection.
 */
// @Dependent: a bean-defining annotation, so that Open Liberty injects into the endpoint (it injects only into
// endpoint classes that are CDI beans: open-liberty issue 34986); one instance per connection, as everywhere.
@Dependent
@ServerEndpoint(value = "/ws", subprotocols = {Subprotocols.BATCH, Subprotocols.V1}, configurator = HandshakeConfigurator.class,
        decoders = ClientMessageDecoder.class)
public class SwitchboardEndpoint {

    /**
     * The engine's entry points: the object itself (a dependent bean), not a client proxy, whose every call costs a
     * context lookup (on WildFly, building the module's name as a string) on the path of every message.
     */
    @Inject
    Sessions sessions;

    @Inject
    Handshakes handshakes;


    @OnOpen
    public void open(Session session) {
        Endpoints.open(sessions, handshakes, session, "/ws");
    }

    @OnMessage
    public void message(ClientMessage message, Session session) {
        Connection connection = Endpoints.connection(session);
        if (connection != null) {
            sessions.received(connection, message);
        }
    }

    @OnMessage
    public void binary(ByteBuffer data, Session session) {
        Connection connection = Endpoints.connection(session);
        if (connection != null) {
            sessions.refuse(connection, CloseCodes.UNSUPPORTED_DATA, "binary frames are not part of switchboard.v1");
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
