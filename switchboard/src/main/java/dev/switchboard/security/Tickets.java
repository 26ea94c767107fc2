package dev.switchboard.security;

import dev.switchboard.cluster.SessionStore;
import dev.switchboard.cluster.StoreUnavailable;
import dev.switchboard.protocol.Codec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.StringReader;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Short-lived, single-use tickets: a signed-in page fetches one ({@code POST /api/tickets}) and presents it in the
 * WebSocket handshake ({@code Sec-WebSocket-Protocol: switchboard.v1, ticket.<ticket>}), so that no long-lived
 * credential travels in a URL or a header a browser cannot set. Valid for 30 s, once. With Redis, a ticket lives in
 * the {@link SessionStore} and is redeemed once on any node (behind a load balancer without stickiness); a ticket
 * issued while Redis was unreachable is redeemable on the issuing node only. Thread-safe.
 */
@ApplicationScoped
public class Tickets {

    static final Duration LIFETIME = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(Tickets.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    SessionStore store;

    @Inject
    Revocations revocations;

    /** Tickets issued by this node and not shared (no Redis, or Redis unreachable when issued). */
    private record Issued(Caller caller, Instant expires) {
    }

    private final Map<String, Issued> issued = new ConcurrentHashMap<>();

    public String issue(Caller caller) {
        Instant now = Instant.now();
        issued.values().removeIf(t -> t.expires().isBefore(now)); // forget the unused ones
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        if (store.shared()) {
            try {
                store.putTicket(ticket, encode(caller, now), LIFETIME);
                return ticket;
            } catch (StoreUnavailable e) {
                LOG.log(Level.INFO, "A ticket could not be shared (Redis unavailable): redeemable on this node only");
            }
        }
        issued.put(ticket, new Issued(caller, now.plus(LIFETIME)));
        return ticket;
    }

    /**
     * Forgets every unused ticket of {@code user} issued by this node (logout, revocation). Shared ones are refused at
     * redemption: a ticket issued before its user's revocation is not honoured on any node.
     */
    public void revoke(String user) {
        issued.values().removeIf(t -> t.caller().name().equals(user));
    }

    /** The caller the ticket was issued to, once; empty when unknown, used or expired. */
    public Optional<Caller> redeem(String ticket) {
        if (ticket == null) {
            return Optional.empty();
        }
        Issued local = issued.remove(ticket);
        if (local != null) {
            return local.expires().isBefore(Instant.now()) ? Optional.empty() : Optional.of(local.caller());
        }
        if (!store.shared()) {
            return Optional.empty();
        }
        try {
            String payload = store.takeTicket(ticket);
            if (payload == null) {
                return Optional.empty();
            }
            JsonObject o = Codec.json().createReader(new StringReader(payload)).readObject();
            Caller caller = decode(o);
            Instant issuedAt = Instant.ofEpochMilli(o.getJsonNumber("issuedAt").longValue());
            return revocations.isRevoked(caller.name(), issuedAt) ? Optional.empty() : Optional.of(caller);
        } catch (StoreUnavailable e) {
            LOG.log(Level.INFO, "A ticket could not be redeemed (Redis unavailable): refused");
            return Optional.empty();
        }
    }

    private static String encode(Caller caller, Instant issuedAt) {
        JsonArrayBuilder roles = Codec.json().createArrayBuilder();
        caller.roles().forEach(roles::add);
        var b = Codec.json().createObjectBuilder().add("name", caller.name()).add("roles", roles)
                .add("issuedAt", issuedAt.toEpochMilli());
        if (caller.expiresAt() != null) {
            b.add("expiresAt", caller.expiresAt().toEpochMilli());
        }
        return b.build().toString();
    }

    private static Caller decode(JsonObject o) {
        Set<String> roles = new HashSet<>();
        o.getJsonArray("roles").forEach(r -> roles.add(((JsonString) r).getString()));
        Instant expires = o.containsKey("expiresAt") ? Instant.ofEpochMilli(o.getJsonNumber("expiresAt").longValue()) : null;
        return new Caller(o.getString("name"), roles, false, expires);
    }
}
