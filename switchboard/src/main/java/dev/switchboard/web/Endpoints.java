package dev.switchboard.web;

import dev.switchboard.CloseCodes;
import dev.switchboard.engine.Connection;
import dev.switchboard.engine.Sessions;
import dev.switchboard.config.Settings;
import dev.switchboard.protocol.RoomNames;
import dev.switchboard.protocol.Subprotocols;
import dev.switchboard.security.Handshakes;
import dev.switchboard.security.SwitchboardAuthenticationMechanism;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every endpoint does on open, pong, close and error, so that each endpoint stays a list of delegations to
 * {@link Sessions}. The container's quirks of the socket are handled here and in {@link SessionTransport}.
 */
final class Endpoints {

    private static final Logger LOG = Logger.getLogger(Endpoints.class.getName());
    private static final String CONNECTION = Connection.class.getName();
    /** The session's user property holding the connection's language (see {@link HandshakeConfigurator}). */
    static final String LANGUAGE = "dev.switchboard.language";

    /** Whether this container's sessions are Tyrus's (Payara, GlassFish): known from the first connection on. */
    private static volatile boolean tyrus;

    private Endpoints() {
    }

    /**
     * Container quirk (Tyrus on Payara Micro 6 and 7, GlassFish 7): the new session's constructor arms its idle timer
     * (Tyrus 2.1.5 and 2.2.2 both do for the default timeout, 0) on the server's managed scheduled executor, and the
     * Concurrency runtime captures a context for it with a {@code ServiceLoader} over the thread's context class
     * loader: the application's, which scans the server's API modules and every jar in {@code WEB-INF/lib} (~10 % of
     * a handshake's CPU on Payara 6: docs/benchmark/connections.md, sixth pass). The container makes the session on
     * this thread after the filter chain has returned and after the authenticator's {@code postInvoke} has called the
     * mechanism's {@code secureResponse} ({@code StandardPipeline.doInvoke} → {@code Request.initialiseHttpUpgradeHandler}
     * → {@code TyrusHttpUpgradeHandler.init}). So after a handshake Tyrus accepted (101) the handshake filter asks
     * {@link SwitchboardAuthenticationMechanism#secureResponse} to leave the platform loader as context loader, and
     * {@link #applicationLoader} puts the application's back before any code of the endpoint's or the application's
     * runs (the configurator's {@code getEndpointInstance}, which Tyrus calls after making the session, and again at
     * open). Not earlier than {@code secureResponse}: on GlassFish 7 the Weld proxy Soteria calls it through finds its
     * container by the context loader (WELD-000229, "not valid after container shutdown", and no upgrade). With an
     * application's own mechanism instead of Switchboard's nothing is switched. On other containers this does nothing.
     */
    static void upgraded(HttpServletRequest request, HttpServletResponse response) {
        if (tyrus && response.getStatus() == 101) {
            request.setAttribute(SwitchboardAuthenticationMechanism.LOADER_AFTER_RESPONSE,
                    ClassLoader.getPlatformClassLoader());
        }
    }

    /** Puts {@code loader}, the application's, back as context loader where {@link #upgraded} left the platform's. */
    static void applicationLoader(ClassLoader loader) {
        Thread thread = Thread.currentThread();
        if (loader != null && thread.getContextClassLoader() == ClassLoader.getPlatformClassLoader()) {
            thread.setContextClassLoader(loader);
        }
    }

    /**
     * Applies the limits to the session and registers it. The caller is the principal the container authenticated
     * at the handshake, or a guest when there is none. Null when the connection was refused (and closed).
     */
    static Connection open(Sessions sessions, Handshakes handshakes, Session session, String endpoint) {
        applicationLoader(Endpoints.class.getClassLoader()); // the configurator did it already: in case it was not asked
        Settings settings = sessions.settings();
        session.setMaxTextMessageBufferSize(settings.maxMessageBytes());
        session.setMaxBinaryMessageBufferSize(settings.maxMessageBytes());
        // Container quirk (Tyrus): every frame read or sent re-arms the session's idle timer, a task on the server's
        // managed scheduled executor, and Payara's Concurrency runtime captures a context for each (a ServiceLoader
        // scan of the thread's context class loader and Payara's API loader: docs/benchmark/connections.md). Tyrus 2.2
        // (Payara 7) arms none when the timeout is negative, which the API also defines as "never"; 2.1.5 (Payara 6,
        // GlassFish 7) arms one regardless, this call included, so it runs with the platform loader as context loader
        // (a scan of nothing), as SessionTransport's sends do. The engine's heartbeat and idle timeout (Liveness)
        // watch the connection instead.
        if (session.getClass().getName().startsWith("org.glassfish.tyrus.")) {
            tyrus = true;
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(ClassLoader.getPlatformClassLoader());
            try {
                session.setMaxIdleTimeout(-1);
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
        if (endpoint.startsWith("/ws/rooms/") && !RoomNames.isValid(endpoint.substring("/ws/rooms/".length()))) {
            closeQuietly(session, CloseCodes.POLICY_VIOLATION, "not a room name: " + RoomNames.RULE);
            return null;
        }
        if (!sessions.admitting()) { // drained between the handshake filter's check and now
            closeQuietly(session, CloseCodes.TRY_AGAIN_LATER, "this node is draining: connect to another");
            return null;
        }
        boolean batching = Subprotocols.BATCH.equals(session.getNegotiatedSubprotocol());
        // registered before open() queues anything, so that the endpoint finds it for the first message
        Connection connection = sessions.open(new SessionTransport(session, settings.sendTimeout().toMillis()),
                handshakes.callerOf(session.getUserPrincipal()).orElse(null), endpoint, batching,
                session.getUserProperties().get(LANGUAGE) instanceof java.util.Locale language ? language : null);
        if (connection == null) {
            closeQuietly(session, CloseCodes.TRY_AGAIN_LATER, "too many connections for this user");
            return null;
        }
        session.getUserProperties().put(CONNECTION, connection);
        return connection;
    }

    static Connection connection(Session session) {
        return (Connection) session.getUserProperties().get(CONNECTION);
    }

    static void close(Sessions sessions, Session session, CloseReason reason) {
        Connection connection = connection(session);
        if (connection != null) {
            sessions.closed(connection, reason.getCloseCode().getCode(), reason.getReasonPhrase());
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
