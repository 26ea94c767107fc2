package dev.switchboard.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * Verifies a credential as a client presents it, in the handshake's subprotocol list or in a {@code refresh}:
 * {@code bearer.<JWT>} ({@link TokenVerifier}) or {@code ticket.<ticket>} ({@link Tickets}, redeemed once).
 * Thread-safe; credentials are never logged.
 */
@ApplicationScoped
public class Credentials {

    static final String BEARER = "bearer.";
    static final String TICKET = "ticket.";

    @Inject
    TokenVerifier tokens;

    @Inject
    Tickets tickets;

    /** Whether a subprotocol entry carries a credential. */
    public static boolean isCredential(String entry) {
        return entry.startsWith(BEARER) || entry.startsWith(TICKET);
    }

    /** The caller {@code entry} names; empty when it is not a credential, or not valid (forged, expired, used, revoked). */
    public Optional<Caller> verify(String entry) {
        if (entry == null) {
            return Optional.empty();
        }
        if (entry.startsWith(BEARER)) {
            return tokens.verify(entry.substring(BEARER.length()));
        }
        if (entry.startsWith(TICKET)) {
            return tickets.redeem(entry.substring(TICKET.length()));
        }
        return Optional.empty();
    }
}
