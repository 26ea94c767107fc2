package dev.switchboard.engine;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;

/**
 * Checks a WebSocket handshake on {@code /ws} before the container upgrades it: a client that offers
 * subprotocols but not {@value #SUBPROTOCOL} speaks something else and gets 400 instead of a connection it would
 * misread. A client offering none is served (plain tools).
 */
@WebFilter(urlPatterns = {"/ws", "/ws/*"}, asyncSupported = true)
public class HandshakeFilter extends HttpFilter {

    public static final String SUBPROTOCOL = "switchboard.v1";

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade")) && "/ws".equals(path(request))) {
            String offered = request.getHeader("Sec-WebSocket-Protocol");
            if (offered != null && Arrays.stream(offered.split(",")).map(String::trim).noneMatch(SUBPROTOCOL::equals)) {
                response.sendError(HttpServletResponse.SC_BAD_REQUEST,
                        "Unsupported subprotocol: offer '" + SUBPROTOCOL + "' or none");
                return;
            }
        }
        chain.doFilter(request, response);
    }

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }
}
