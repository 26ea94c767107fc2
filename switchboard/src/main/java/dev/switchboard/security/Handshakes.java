package dev.switchboard.security;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.Principal;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands the {@link Caller} established by {@link SwitchboardAuthenticationMechanism} during a handshake to the
 * endpoint's {@code @OnOpen}: the WebSocket session exposes only the principal's name, not its roles or expiry.
 * Keyed by user name; two handshakes of one user at the same instant may swap their (same user's) details.
 */
@ApplicationScoped
public class Handshakes {

    private final Map<String, Caller> pending = new ConcurrentHashMap<>();

    void authenticated(Caller caller) {
        pending.put(caller.name(), caller);
    }

    /** A caller the application's own authentication mechanism established for a handshake, with its roles. */
    public void authenticatedByContainer(Caller caller) {
        authenticated(caller);
    }

    /** The caller behind {@code principal}: the one authenticated at the handshake, or a signed-in user without roles. */
    public Optional<Caller> callerOf(Principal principal) {
        if (principal == null) {
            return Optional.empty();
        }
        Caller caller = pending.get(principal.getName());
        return Optional.of(caller != null ? caller : new Caller(principal.getName(), java.util.Set.of(), false, null));
    }
}
