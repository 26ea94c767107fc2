package dev.switchboard.security;

import dev.switchboard.config.Settings;
import dev.switchboard.config.SocketPaths;
import dev.switchboard.protocol.Subprotocols;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The checks of a WebSocket handshake that need no credentials, in the order they run: RFC 6455 itself (a GET over
 * HTTP/1.1 → else 400; {@code Sec-WebSocket-Version: 13} → else 426 naming it; a {@code Sec-WebSocket-Key} of 16
 * bytes in base64 → else 400: the same answers on every container); TLS (with
 * {@code switchboard.require-tls}) → 403; the Origin ({@link OriginPolicy}) → 403; the subprotocol list (at most
 * {@link #MAX_OFFERED} entries, at most {@link #MAX_CREDENTIALS} of them {@code bearer.}/{@code ticket.}; on
 * the protocol's endpoint, one of ours among them) → 400. {@link SwitchboardAuthenticationMechanism} runs them before it looks at
 * a credential, so a refused handshake costs no signature check, and {@code HandshakeFilter} runs them again and
 * answers with the status (the mechanism runs first on every container, but does not write responses). Thread-safe.
 */
@ApplicationScoped
public class HandshakeRules {

    /** Subprotocols a handshake may offer: ours, a credential, and a few of a client's own. */
    public static final int MAX_OFFERED = 8;
    /** Credential entries ({@code bearer.…}, {@code ticket.…}) a handshake may offer. */
    public static final int MAX_CREDENTIALS = 1;

    @Inject
    Settings settings;

    @Inject
    SocketPaths paths;

    private volatile OriginPolicy origins;

    /** Why a handshake is refused before credentials are looked at. */
    public record Refusal(int status, String message) {
    }

    public static boolean isHandshake(HttpServletRequest request) {
        return "websocket".equalsIgnoreCase(request.getHeader("Upgrade"));
    }

    /** Every subprotocol the handshake offers, over every {@code Sec-WebSocket-Protocol} header, trimmed. */
    public static List<String> offered(HttpServletRequest request) {
        List<String> all = new ArrayList<>();
        for (String header : Collections.list(request.getHeaders("Sec-WebSocket-Protocol"))) {
            for (String p : header.split(",")) {
                if (!p.isBlank()) {
                    all.add(p.trim());
                }
            }
        }
        return all;
    }

    /** Marks a request already checked (the mechanism and the filter both ask): the answer, or {@link #PASSED}. */
    private static final String CHECKED = HandshakeRules.class.getName();
    private static final Refusal PASSED = new Refusal(0, "");

    /** The refusal of a handshake, or null when it may go on to authentication; worked out once per request. */
    public Refusal check(HttpServletRequest request) {
        if (request.getAttribute(CHECKED) instanceof Refusal known) {
            return known == PASSED ? null : known;
        }
        Refusal refusal = evaluate(request);
        request.setAttribute(CHECKED, refusal == null ? PASSED : refusal);
        return refusal;
    }

    private Refusal evaluate(HttpServletRequest request) {
        if (!"GET".equals(request.getMethod()) || !"HTTP/1.1".equals(request.getProtocol())) {
            return new Refusal(400, "A WebSocket handshake is a GET over HTTP/1.1");
        }
        if (!"13".equals(request.getHeader("Sec-WebSocket-Version"))) {
            return new Refusal(426, "Unsupported WebSocket version: use 13");
        }
        if (!validKey(request.getHeader("Sec-WebSocket-Key"))) {
            return new Refusal(400, "Sec-WebSocket-Key must be 16 bytes in base64");
        }
        if (!request.isSecure() && settings.socket().requireTls()) {
            return new Refusal(403, "TLS required: connect with wss://");
        }
        if (!origins().allows(request.getHeader("Origin"), request.getScheme(), request.getHeader("Host"))) {
            return new Refusal(403, "Origin not allowed");
        }
        List<String> offered = offered(request);
        if (offered.size() > MAX_OFFERED) {
            return new Refusal(400, "Too many subprotocols offered: at most " + MAX_OFFERED);
        }
        int credentials = 0;
        boolean ours = false;
        for (String p : offered) { // a loop, not streams: this runs on every handshake
            credentials += Credentials.isCredential(p) ? 1 : 0;
            ours |= Subprotocols.known(p);
        }
        if (credentials > MAX_CREDENTIALS) {
            return new Refusal(400, "At most " + MAX_CREDENTIALS + " credential (bearer. or ticket.) may be offered");
        }
        if (!offered.isEmpty() && !ours && paths.socket().equals(path(request))) {
            return new Refusal(400, "Unsupported subprotocol: offer '" + Subprotocols.V1 + "' or none");
        }
        return null;
    }

    private static boolean validKey(String key) {
        if (key == null || key.length() != 24) {
            return false;
        }
        try {
            return java.util.Base64.getDecoder().decode(key.trim()).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
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
