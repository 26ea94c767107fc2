package dev.switchboard.security;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Short-lived, single-use tickets: a signed-in page fetches one ({@code POST /api/tickets}) and presents it in the
 * WebSocket handshake ({@code Sec-WebSocket-Protocol: switchboard.v1, ticket.<ticket>}), so that no long-lived
 * credential travels in a URL or a header a browser cannot set. Valid for 30 s, once. Thread-safe.
 */
@ApplicationScoped
public class Tickets {

    static final Duration LIFETIME = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Issued(Caller caller, Instant expires) {
    }

    private final Map<String, Issued> issued = new ConcurrentHashMap<>();

    public String issue(Caller caller) {
        Instant now = Instant.now();
        issued.values().removeIf(t -> t.expires().isBefore(now)); // forget the unused ones
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        issued.put(ticket, new Issued(caller, now.plus(LIFETIME)));
        return ticket;
    }

    /** Forgets every unused ticket of {@code user} (logout, revocation). */
    public void revoke(String user) {
        issued.values().removeIf(t -> t.caller().name().equals(user));
    }

    /** The caller the ticket was issued to, once; empty when unknown, used or expired. */
    public Optional<Caller> redeem(String ticket) {
        Issued t = ticket == null ? null : issued.remove(ticket);
        return t == null || t.expires().isBefore(Instant.now()) ? Optional.empty() : Optional.of(t.caller());
    }
}
