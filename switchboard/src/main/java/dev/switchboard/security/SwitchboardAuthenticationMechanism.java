package dev.switchboard.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStoreHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Authentication for every request of the application, with Jakarta Security (on WildFly this needs
 * {@code integrated-jaspi=false} on the {@code other} application-security-domain; the build applies it with
 * {@code src/main/wildfly/configure.cli}).
 * <ul>
 *   <li>WebSocket handshakes: a signed token offered as a subprotocol ({@code bearer.<JWT>}) or a ticket from
 *       {@code POST /api/tickets} ({@code ticket.<ticket>}) — browsers cannot set an Authorization header on a
 *       WebSocket, and a token in the URL would land in access logs. A wrong one gets 401 before the upgrade.</li>
 *   <li>Any request: {@code Authorization: Basic} checked by the application's identity stores (container login),
 *       or {@code Authorization: Bearer <JWT>}.</li>
 *   <li>No credentials: a guest, unless {@code switchboard.auth.anonymous=false}, then WebSocket handshakes get 401.</li>
 * </ul>
 * Credentials are never logged.
 */
@ApplicationScoped
public class SwitchboardAuthenticationMechanism implements HttpAuthenticationMechanism {

    /** The request attribute holding the {@link Caller} this mechanism authenticated (absent for guests). */
    public static final String CALLER_ATTRIBUTE = Caller.class.getName();
    /**
     * Set on a request whose credentials this mechanism refused, so that the application refuses it (401) even where
     * the container lets it through as a guest (Open Liberty on URLs without a security constraint: issue 2837).
     */
    /**
     * The {@code WWW-Authenticate} of every 401. Bearer, not Basic, although Basic is accepted: on a Basic challenge a
     * browser opens its own sign-in dialog over the page's form (and a headless one stalls the request).
     */
    public static final String CHALLENGE = "Bearer realm=\"switchboard\"";
    public static final String REFUSED_ATTRIBUTE = CALLER_ATTRIBUTE + ".refused";
    /**
     * A request attribute: the class loader {@link #secureResponse} leaves as the thread's context loader, the last
     * code of the application's before the container makes a Tyrus session (a container quirk: see
     * {@code dev.switchboard.web.Endpoints.upgraded}).
     */
    public static final String LOADER_AFTER_RESPONSE = CALLER_ATTRIBUTE + ".loaderAfterResponse";

    @Inject
    TokenVerifier tokens;

    @Inject
    Credentials credentials;

    @Inject
    Handshakes handshakes;

    @Inject
    IdentityStoreHandler identityStores;

    @Inject
    ApiAccess access;

    @Inject
    HandshakeRules rules;


    @Override
    public AuthenticationStatus validateRequest(HttpServletRequest request, HttpServletResponse response,
                                                HttpMessageContext context) {
        if (response.isCommitted()) {
            // GlassFish 7.0.21 may ask again for a request whose answer is already on the wire (its error page
            // dispatch): nothing can be answered any more, and sendError would throw (seen in ServerLogsIT)
            return context.doNothing();
        }
        boolean handshake = "websocket".equalsIgnoreCase(request.getHeader("Upgrade"));
        String authorization = request.getHeader("Authorization");
        Optional<Caller> caller = Optional.empty();
        boolean presented = false;

        if (handshake) {
            if (rules.check(request) != null) {
                return context.doNothing(); // refused by HandshakeFilter (403/400) before any credential is verified
            }
            for (String p : HandshakeRules.offered(request)) { // at most one credential entry: HandshakeRules
                if (Credentials.isCredential(p)) {
                    presented = true;
                    caller = credentials.verify(p);
                }
            }
        }
        if (!presented && authorization != null) {
            if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                presented = true;
                caller = tokens.verify(authorization.substring(7).trim());
            } else if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                presented = true;
                caller = basic(authorization.substring(6).trim());
            }
        }

        if (caller.isPresent()) {
            Caller c = caller.get();
            handshakes.authenticated(c);
            request.setAttribute(CALLER_ATTRIBUTE, c);
            return context.notifyContainerAboutLogin(c.name(), c.roles());
        }
        if (presented) {
            request.setAttribute(REFUSED_ATTRIBUTE, Boolean.TRUE);
            response.setHeader("WWW-Authenticate", CHALLENGE);
            return context.responseUnauthorized();
        }
        if (handshake && !access.guestsMayConnect()) {
            response.setHeader("WWW-Authenticate", CHALLENGE);
            return context.responseUnauthorized();
        }
        if (context.isProtected()) {
            response.setHeader("WWW-Authenticate", CHALLENGE);
            return context.responseUnauthorized();
        }
        return context.doNothing();
    }

    /**
     * Runs after the filter chain, for every request: on a Tyrus handshake the handshake filter accepted (101), leaves
     * the loader it named in {@link #LOADER_AFTER_RESPONSE} as the thread's context loader for the container's session
     * setup (see {@code dev.switchboard.web.Endpoints.upgraded}); otherwise does nothing. SUCCESS, as the interface's
     * default.
     */
    @Override
    public AuthenticationStatus secureResponse(HttpServletRequest request, HttpServletResponse response,
                                               HttpMessageContext context) {
        if (request.getAttribute(LOADER_AFTER_RESPONSE) instanceof ClassLoader loader) {
            Thread.currentThread().setContextClassLoader(loader);
        }
        return AuthenticationStatus.SUCCESS;
    }

    private Optional<Caller> basic(String encoded) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        CredentialValidationResult result = identityStores.validate(
                new UsernamePasswordCredential(decoded.substring(0, colon), decoded.substring(colon + 1)));
        if (result.getStatus() != CredentialValidationResult.Status.VALID) {
            return Optional.empty();
        }
        return Optional.of(new Caller(result.getCallerPrincipal().getName(), result.getCallerGroups(), false, null));
    }
}
