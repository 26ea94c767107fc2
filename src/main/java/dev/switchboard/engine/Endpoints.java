package dev.switchboard.engine;

import dev.switchboard.CloseCodes;
import dev.switchboard.protocol.Codec;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.security.Principal;
import java.util.logging.Level;
import java.util.logging.Logger;

/** What both endpoints do on open, close and error, so that each endpoint stays a list of delegations. */
final class Endpoints {

    private static final Logger LOG = Logger.getLogger(Endpoints.class.getName());
    private static final String CONNECTION = Connection.class.getName();

    private Endpoints() {
    }

    /**
     * Applies the limits to the session and registers it. The user is the principal the container authenticated
     * at the handshake, or a generated anonymous name when there is none.
     */
    static Connection open(Hub hub, dev.switchboard.security.Handshakes handshakes, Session session, String endpoint,
                           boolean welcome) {
        Settings settings = hub.settings();
        session.setMaxTextMessageBufferSize(settings.maxMessageBytes());
        session.setMaxBinaryMessageBufferSize(settings.maxMessageBytes());
        if (endpoint.startsWith("/ws/rooms/") && !Codec.isRoomName(endpoint.substring("/ws/rooms/".length()))) {
            closeQuietly(session, CloseCodes.POLICY_VIOLATION, "not a room name: use 1-128 letters, digits and _ . : @ -");
            return null;
        }
        Principal principal = session.getUserPrincipal();
        Connection connection = hub.open(new SessionTransport(session, settings.sendTimeout().toMillis()),
                handshakes.callerOf(principal).orElse(null), endpoint, welcome);
        if (connection == null) {
            closeQuietly(session, CloseCodes.TRY_AGAIN_LATER, "too many connections for this user");
            return null;
        }
        session.getUserProperties().put(CONNECTION, connection);
        if (HandshakeFilter.BATCH.equals(session.getNegotiatedSubprotocol())) {
            connection.batching(true);
        }
        return connection;
    }

    static Connection connection(Session session) {
        return (Connection) session.getUserProperties().get(CONNECTION);
    }

    /** A pong from the peer: it answers the heartbeat when it echoes the ping's token. */
    static void pong(Session session, jakarta.websocket.PongMessage pong) {
        Connection connection = connection(session);
        if (connection != null) {
            connection.pong(pong.getApplicationData());
        }
    }

    static void close(Hub hub, Session session, CloseReason reason) {
        Connection connection = connection(session);
        if (connection != null) {
            hub.closed(connection, reason.getCloseCode().getCode(), reason.getReasonPhrase());
        }
    }

    /**
     * Errors the container reports. I/O failures of a peer that went away are expected and logged quietly;
     * the container closes the session after them. Anything else is logged with its cause.
     */
    static void error(Session session, Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        // Container quirk (Tyrus on Payara): a fragmented message over the session's buffer size is reported here as
        // MessageTooBigException after Tyrus has closed the connection with 1009 itself: an expected outcome.
        if (cause instanceof IOException || cause.getClass().getSimpleName().equals("MessageTooBigException")) {
            LOG.log(Level.FINE, "Connection " + session.getId() + " failed: " + cause);
        } else {
            LOG.log(Level.WARNING, "Error on connection " + session.getId(), failure);
        }
    }

    private static void closeQuietly(Session session, int code, String reason) {
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
        } catch (IOException e) {
            LOG.log(Level.FINE, "Close of " + session.getId() + " failed", e);
        }
    }
}
