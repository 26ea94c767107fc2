package dev.switchboard.web;

import dev.switchboard.security.ApiAccess;
import dev.switchboard.security.Caller;
import dev.switchboard.security.HandshakeRules;
import dev.switchboard.security.SwitchboardAuthenticationMechanism;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
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
 *   <li>{@code /ws/monitor}: a caller with {@code switchboard.monitor.role} (401 without credentials, 403 without the
 *       role).</li>
 * </ol>
 */
@WebFilter(urlPatterns = {"/ws", "/ws/*"}, asyncSupported = true)
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

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (HandshakeRules.isHandshake(request)) {
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
            Caller caller = access.callerOf(request);
            if (caller != null && request.getAttribute(SwitchboardAuthenticationMechanism.CALLER_ATTRIBUTE) == null) {
                handshakes.authenticatedByContainer(caller); // the application's own mechanism authenticated it
            }
            if (caller == null && !access.guestsMayConnect()) {
                // switchboard.auth.anonymous=false, enforced here too: with the application's own mechanism,
                // Switchboard's (which refuses such a handshake itself) has stepped aside
                response.setHeader("WWW-Authenticate", SwitchboardAuthenticationMechanism.CHALLENGE);
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "Sign in to connect (switchboard.auth.anonymous=false)");
                return;
            }
            if ("/ws/monitor".equals(request.getRequestURI().substring(request.getContextPath().length()))) {
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
    }
}
