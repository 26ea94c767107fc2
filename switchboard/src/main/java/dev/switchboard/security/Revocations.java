package dev.switchboard.security;

import dev.switchboard.cluster.SessionStore;
import dev.switchboard.cluster.StoreUnavailable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * Users whose credentials were revoked (logout, or an administrator's revocation): tokens issued before the
 * revocation are refused from then on, on every node. Kept in this node's memory and, with Redis, in the
 * {@link SessionStore} for {@code switchboard.auth.revocation-ttl-seconds} (default 86 400: the longest a token may
 * live), so a logout on one node refuses the token on all. While Redis cannot be reached, a check falls back to what
 * this node knows (revocations made here): sign-in goes on during an outage, at the cost of revocations made
 * elsewhere meanwhile — logged. Thread-safe.
 */
@ApplicationScoped
public class Revocations {

    private static final Logger LOG = Logger.getLogger(Revocations.class.getName());

    @Inject
    SessionStore store;

    @Inject
    Config config;

    private final Map<String, Instant> revokedAt = new ConcurrentHashMap<>();

    public void revoke(String user) {
        Instant now = Instant.now();
        revokedAt.merge(user, now, (a, b) -> a.isAfter(b) ? a : b);
        if (store.shared()) {
            try {
                store.revoke(user, now, ttl());
            } catch (StoreUnavailable e) {
                LOG.log(Level.WARNING, "The revocation of {0} could not reach Redis: it holds on this node only ({1})",
                        new Object[] {user, e.getMessage()});
            }
        }
    }

    /** True when credentials of {@code user} issued at {@code issuedAt} (null: unknown) were revoked since. */
    public boolean isRevoked(String user, Instant issuedAt) {
        Instant at = revokedAt.get(user);
        if (store.shared()) {
            try {
                Instant shared = store.revokedAt(user);
                if (shared != null && (at == null || shared.isAfter(at))) {
                    at = shared;
                }
            } catch (StoreUnavailable e) {
                LOG.log(Level.INFO, "Revocations of {0} on other nodes unknown (Redis unavailable): this node''s apply",
                        user);
            }
        }
        return at != null && (issuedAt == null || !issuedAt.isAfter(at));
    }

    private Duration ttl() {
        return Duration.ofSeconds(config.getOptionalValue("switchboard.auth.revocation-ttl-seconds", Long.class).orElse(86_400L));
    }
}
