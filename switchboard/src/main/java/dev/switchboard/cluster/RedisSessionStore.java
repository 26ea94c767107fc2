package dev.switchboard.cluster;

import io.lettuce.core.SetArgs;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Revocations and tickets in Redis. Keys: {@code <prefix>:{user:<user>}:revoked} (the hash tag of the user's other keys) (epoch millis of the latest revocation,
 * expiring after the longest a token may live) and {@code <prefix>:ticket:<SHA-256 of the ticket>} (the caller,
 * expiring with the ticket; taken with {@code GETDEL}, so once across the cluster). A ticket is never stored in the
 * clear: someone who can read Redis cannot redeem one.
 */
public final class RedisSessionStore implements SessionStore {

    private final Redis redis;
    private final String prefix;

    public RedisSessionStore(Redis redis) {
        this.redis = redis;
        this.prefix = redis.config().prefix();
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public void revoke(String user, Instant at, Duration ttl) throws StoreUnavailable {
        redis.call(revoked(user), c -> c.set(revoked(user), Long.toString(at.toEpochMilli()),
                SetArgs.Builder.px(Math.max(1, ttl.toMillis()))));
    }

    @Override
    public Instant revokedAt(String user) throws StoreUnavailable {
        String at = redis.call(revoked(user), c -> c.get(revoked(user)));
        return at == null ? null : Instant.ofEpochMilli(Long.parseLong(at));
    }

    @Override
    public void putTicket(String ticket, String payload, Duration ttl) throws StoreUnavailable {
        redis.call(ticketKey(ticket), c -> c.set(ticketKey(ticket), payload, SetArgs.Builder.px(Math.max(1, ttl.toMillis()))));
    }

    @Override
    public String takeTicket(String ticket) throws StoreUnavailable {
        return redis.call(ticketKey(ticket), c -> c.getdel(ticketKey(ticket)));
    }

    /** A user's latest revocation; the hash tag of the user's other keys. */
    private String revoked(String user) {
        return prefix + ":{user:" + user + "}:revoked";
    }

    private String ticketKey(String ticket) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(ticket.getBytes(StandardCharsets.UTF_8));
            return prefix + ":ticket:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
