package dev.switchboard.security;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Users whose credentials were revoked (logout, or an administrator's revocation): tokens issued before the
 * revocation are refused from then on. Kept in this node's memory. Thread-safe.
 */
@ApplicationScoped
public class Revocations {

    private final Map<String, Instant> revokedAt = new ConcurrentHashMap<>();

    public void revoke(String user) {
        revokedAt.put(user, Instant.now());
    }

    /** True when credentials of {@code user} issued at {@code issuedAt} (null: unknown) were revoked since. */
    public boolean isRevoked(String user, Instant issuedAt) {
        Optional<Instant> at = Optional.ofNullable(revokedAt.get(user));
        return at.isPresent() && (issuedAt == null || !issuedAt.isAfter(at.get()));
    }
}
