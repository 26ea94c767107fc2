package dev.switchboard.web;

import dev.switchboard.config.Settings;
import dev.switchboard.protocol.Subprotocols;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Checks every WebSocket handshake before the container upgrades it (this filter runs before the upgrade on both
 * Tyrus and Undertow; tested): with {@code switchboard.require-tls=true} (CONFIDENTIAL), a handshake that did not come
 * over TLS gets 403; an Origin outside the allow-list gets 403 (see {@link OriginPolicy}); on
 * {@code /ws}, a client that offers subprotocols but neither {@code switchboard.v1} nor {@code switchboard.v1.batch} gets 400. A client offering no
 * subprotocol is served (plain tools).
 */
@WebFilter(urlPatterns = {"/ws", "/ws/*"}, asyncSupported = true)
public class HandshakeFilter extends HttpFilter {

    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());

    @Inject
    Settings settings;

    private volatile OriginPolicy origins;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            if (!request.isSecure() && requireTls()) {
                response.sendError(HttpServletResponse.SC_FORBIDDEN, "TLS required: connect with wss://");
                return;
            }
            String origin = request.getHeader("Origin");
            if (!origins().allows(origin, request.getScheme(), request.getHeader("Host"))) {
                // the origin is not a secret; it is logged so that operators can extend the allow-list
                LOG.log(Level.INFO, "Refused a WebSocket handshake from origin {0}: not allowed (switchboard.allowed-origins)",
                        origin == null ? "(none)" : origin.length() > 200 ? origin.substring(0, 200) : origin);
                response.sendError(HttpServletResponse.SC_FORBIDDEN, "Origin not allowed");
                return;
            }
            if ("/ws".equals(path(request))) {
                String offered = request.getHeader("Sec-WebSocket-Protocol");
                if (offered != null && Arrays.stream(offered.split(",")).map(String::trim)
                        .noneMatch(Subprotocols::known)) {
                    response.sendError(HttpServletResponse.SC_BAD_REQUEST,
                            "Unsupported subprotocol: offer '" + Subprotocols.V1 + "' or none");
                    return;
                }
            }
        }
        chain.doFilter(request, response);
    }

    private boolean requireTls() {
        return settings.socket().requireTls();
    }

    private OriginPolicy origins() {
        OriginPolicy policy = origins;
        if (policy == null) {
            policy = new OriginPolicy(settings.origins().allowed(), settings.origins().allowMissing());
            origins = policy;
        }
        return policy;
    }

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }
}
