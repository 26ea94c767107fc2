package dev.switchboard.cluster;

import java.time.Duration;
import java.time.Instant;

/**
 * What sign-in state the nodes share: revocations (logout, an administrator's revocation) and single-use tickets.
 * Two implementations: {@link #local()} (one node, in memory: nothing is shared and the callers keep their own state)
 * and {@link RedisSessionStore} ({@code switchboard.redis.url}), where every entry expires with what it guards.
 * Every call of the shared store is blocking (at most the store's timeout) and throws {@link StoreUnavailable};
 * callers decide what an outage means for them.
 */
public interface SessionStore {

    /** True when entries are shared with other nodes; false for the one-node store, whose calls do nothing. */
    boolean shared();

    /** Records that {@code user}'s credentials issued up to {@code at} are revoked, kept for {@code ttl}. */
    void revoke(String user, Instant at, Duration ttl) throws StoreUnavailable;

    /** When {@code user} was last revoked on any node, or null. */
    Instant revokedAt(String user) throws StoreUnavailable;

    /** Keeps {@code payload} under {@code ticket} for {@code ttl} (the ticket itself is not stored, only its hash). */
    void putTicket(String ticket, String payload, Duration ttl) throws StoreUnavailable;

    /** Takes {@code ticket}'s payload, once across the cluster: null when unknown, expired or taken before. */
    String takeTicket(String ticket) throws StoreUnavailable;

    /** The one-node store: shares nothing. */
    static SessionStore local() {
        return LocalSessionStore.INSTANCE;
    }

    /** {@link SessionStore#local()}. */
    final class LocalSessionStore implements SessionStore {
        static final LocalSessionStore INSTANCE = new LocalSessionStore();

        private LocalSessionStore() {
        }

        @Override
        public boolean shared() {
            return false;
        }

        @Override
        public void revoke(String user, Instant at, Duration ttl) {
        }

        @Override
        public Instant revokedAt(String user) {
            return null;
        }

        @Override
        public void putTicket(String ticket, String payload, Duration ttl) {
        }

        @Override
        public String takeTicket(String ticket) {
            return null;
        }
    }
}
