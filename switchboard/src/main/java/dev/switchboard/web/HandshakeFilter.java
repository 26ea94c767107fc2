package dev.switchboard.web;

import dev.switchboard.config.SocketPaths;
import dev.switchboard.security.ApiAccess;
import dev.switchboard.security.Caller;
import dev.switchboard.security.Credentials;
import dev.switchboard.security.MechanismChoice;
import dev.switchboard.security.HandshakeRules;
import dev.switchboard.security.SwitchboardAuthenticationMechanism;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Checks every WebSocket handshake before the container upgrades it (this filter runs before the upgrade on both
 * Tyrus and Undertow; tested), in this order:
 * <ol>
 *   <li>{@link HandshakeRules}: RFC 6455's own (400, 426), TLS (403), Origin (403), the subprotocol list (400);</li>
 *   <li>credentials the authentication mechanism refused → 401, enforced here whatever the container did with the
 *       mechanism's answer (Open Liberty lets such a request through as a guest on URLs without a security
 *       constraint: open-liberty issue 2837);</li>
 *   <li>when the application authenticates with its own mechanism ({@link MechanismChoice}): a ticket or token offered
 *       as a subprotocol is verified here (401 when not valid), and the connection gets its caller;</li>
 *   <li>{@code switchboard.auth.anonymous=false}: no caller → 401;</li>
 *   <li>the monitor ({@code <switchboard.path>/monitor}): a caller with {@code switchboard.monitor.role} (401 without
 *       credentials, 403 without the role).</li>
 * </ol>
 * Mapped to every request and acting on handshakes to {@link SocketPaths} only: the path is a setting.
 */
// "/*" and a check of the path: the endpoints' path is a setting (SocketPaths), an annotation's patterns are not
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class HandshakeFilter extends HttpFilter {

    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());

    @Inject
    HandshakeRules rules;

    @Inject
    ApiAccess access;

    @Inject
    dev.switchboard.security.Handshakes handshakes;

    @Inject
    dev.switchboard.engine.Sessions sessions;

    @Inject
    SocketPaths paths;

    @Inject
    MechanismChoice mechanisms;

    @Inject
    Credentials credentials;

    @Inject
    dev.switchboard.engine.Hub hub;

    /**
     * Undeploy: the engine drains and closes its connections with 1001 now, the earliest hook an application gets.
     * Container quirk (WildFly, Undertow): its own WebSocket listener closes every session with 1001 in
     * {@code contextDestroyed}, before the application's listeners' and before CDI disposes of the engine, so a
     * publication acknowledged just before (202) reached no one (ShutdownIT, 2 of 6 runs); filters are destroyed
     * before any listener (Servlet 6.0, 4.4 and 10.10), on every server here. Later calls find it done.
     */
    @Override
    public void destroy() {
        hub.shutdown();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        // every request of the application passes here: a header lookup, and the path only for handshakes
        boolean handshake = HandshakeRules.isHandshake(request) && paths.covers(path(request));
        if (handshake) {
            HandshakeRules.Refusal refusal = rules.check(request);
            if (refusal != null) {
                if (refusal.status() == 403 && refusal.message().startsWith("Origin")) {
                    // the origin is not a secret; it is logged so that operators can extend the allow-list
                    String origin = request.getHeader("Origin");
                    LOG.log(Level.INFO, "Refused a WebSocket handshake from origin {0}: not allowed (switchboard.allowed-origins)",
                            origin == null ? "(none)" : origin.length() > 200 ? origin.substring(0, 200) : origin);
                }
                if (refusal.status() == 426) {
                    response.setHeader("Sec-WebSocket-Version", "13"); // RFC 6455 4.4: the versions the server speaks
                }
                response.sendError(refusal.status(), refusal.message());
                return;
            }
            if (request.getAttribute(SwitchboardAuthenticationMechanism.REFUSED_ATTRIBUTE) != null) {
                response.setHeader("WWW-Authenticate", SwitchboardAuthenticationMechanism.CHALLENGE);
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "Credentials not valid");
                return;
            }
            if (!sessions.admitting()) {
                // draining (an operator's drain, or shutdown): refused before the upgrade, so that the balancer and the
                // client's reconnect go elsewhere. Not closed after it with 1013: closing in @OnOpen raced the upgrade
                // response's flush on Payara 6 (Tyrus: "Connection is closed", a broken request; seen once in CI)
                // (a plain 503, not sendError: Open Liberty logs every sendError of a 5xx as an error, SRVE0293E)
                response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
                response.setHeader("Retry-After", "1");
                response.setContentType("text/plain;charset=UTF-8");
                response.getWriter().write("This node is draining: connect to another");
                return;
            }
            String credential = mechanisms.applicationAuthenticates() ? HandshakeRules.offered(request).stream()
                    .filter(Credentials::isCredential).findFirst().orElse(null) : null;
            Caller caller;
            if (credential != null) {
                // the application's own mechanism does not know Switchboard's tickets and tokens: verified here
                caller = credentials.verify(credential).orElse(null);
                if (caller == null) {
                    response.setHeader("WWW-Authenticate", SwitchboardAuthenticationMechanism.CHALLENGE);
                    response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "Credentials not valid");
                    return;
                }
                handshakes.authenticatedByContainer(caller);
                request = new CallerRequest(request, caller); // the upgrade gives the connection this principal
            } else {
                caller = access.callerOf(request);
                if (caller != null && request.getAttribute(SwitchboardAuthenticationMechanism.CALLER_ATTRIBUTE) == null) {
                    handshakes.authenticatedByContainer(caller); // the application's own mechanism authenticated it
                }
            }
            if (caller == null && !access.guestsMayConnect()) {
                // switchboard.auth.anonymous=false, enforced here too: with the application's own mechanism,
                // Switchboard's (which refuses such a handshake itself) has stepped aside
                response.setHeader("WWW-Authenticate", SwitchboardAuthenticationMechanism.CHALLENGE);
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "Sign in to connect (switchboard.auth.anonymous=false)");
                return;
            }
            if (paths.monitor().equals(path(request))) {
                if (!access.mayOperate(caller)) {
                    if (caller == null) {
                        response.setHeader("WWW-Authenticate", SwitchboardAuthenticationMechanism.CHALLENGE);
                    }
                    response.sendError(caller == null ? HttpServletResponse.SC_UNAUTHORIZED : HttpServletResponse.SC_FORBIDDEN,
                            "The monitor needs the role " + access.operationsRole() + " (switchboard.monitor.role)");
                    return;
                }
            }
        }
        chain.doFilter(request, response);
        if (handshake) {
            Endpoints.upgraded(request, response); // the session is made after this returns: see there
        }
    }

    /** The request's path within the application. */
    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }

    /**
     * A handshake authenticated by a Switchboard credential while the application has its own mechanism: the
     * container's upgrade (the next filter: Tyrus's, Undertow's) takes the connection's principal from this request.
     */
    private static final class CallerRequest extends HttpServletRequestWrapper {
        private final Caller caller;

        CallerRequest(HttpServletRequest request, Caller caller) {
            super(request);
            this.caller = caller;
        }

        @Override
        public java.security.Principal getUserPrincipal() {
            return caller::name;
        }

        @Override
        public String getRemoteUser() {
            return caller.name();
        }

        @Override
        public boolean isUserInRole(String role) {
            return caller.hasRole(role);
        }
    }
}
