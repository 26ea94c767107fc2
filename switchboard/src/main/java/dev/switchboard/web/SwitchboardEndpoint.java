package dev.switchboard.web;

import dev.switchboard.CloseCodes;
import dev.switchboard.engine.Connection;
import dev.switchboard.engine.Sessions;
import dev.switchboard.protocol.Codec;
import dev.switchboard.security.Handshakes;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;

/**
 * The multiplexed endpoint ({@code switchboard.path}, default {@code /ws}; docs/PROTOCOL.md), one instance per
 * connection. Thin: decodes, then delegates to the engine's {@link Sessions}. Binary frames are not part of this
 * protocol: they close with 1003. No {@code Encoder}: the engine encodes a message once ({@code Codec}), for one
 * recipient or a whole room, and queues the text. Message handlers are added once the engine registered the connection,
 * and run on the container's reader thread of the connection.
 */
public final class SwitchboardEndpoint extends Endpoint {

    private final Sessions sessions;
    private final Handshakes handshakes;

    SwitchboardEndpoint(Sessions sessions, Handshakes handshakes) {
        this.sessions = sessions;
        this.handshakes = handshakes;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        Connection connection = Endpoints.open(sessions, handshakes, session, "/ws");
        if (connection == null) {
            return;
        }
        session.addMessageHandler(String.class, text -> sessions.received(connection, Codec.decode(text)));
        session.addMessageHandler(ByteBuffer.class, data -> sessions.refuse(connection, CloseCodes.UNSUPPORTED_DATA,
                "binary frames are not part of switchboard.v1"));
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
