package dev.switchboard.engine;

/**
 * A token bucket per connection: {@code ratePerSecond} tokens a second up to {@code burst}, one per message.
 * Messages refused within 10 s of each other are strikes; past {@code strikes} the connection is to be closed.
 * Not thread-safe: a container delivers one message of a session at a time.
 */
final class RateLimiter {

    /** What to do with one message. */
    enum Verdict { ALLOW, REFUSE, CLOSE }

    private static final long STRIKE_WINDOW_NANOS = 10_000_000_000L;

    private final double ratePerNano;
    private final double burst;
    private final int strikesAllowed;
    private double tokens;
    private long refilled;
    private int strikes;
    private long lastStrike;

    RateLimiter(int ratePerSecond, int burst, int strikes, long nowNanos) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = Math.max(1, burst);
        this.strikesAllowed = strikes;
        this.tokens = this.burst;
        this.refilled = nowNanos;
    }

    Verdict onMessage(long nowNanos) {
        if (ratePerNano <= 0) {
            return Verdict.ALLOW;
        }
        tokens = Math.min(burst, tokens + (nowNanos - refilled) * ratePerNano);
        refilled = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ALLOW;
        }
        if (nowNanos - lastStrike > STRIKE_WINDOW_NANOS) {
            strikes = 0;
        }
        lastStrike = nowNanos;
        return ++strikes > strikesAllowed ? Verdict.CLOSE : Verdict.REFUSE;
    }
}
