package dev.switchboard.config;

/**
 * What happens to a room's publications for a member that cannot keep up (its outbound queue is at its bound,
 * by messages or by characters). Chosen per room class ({@code switchboard.room-class.<class>.slow-consumer}).
 */
public enum SlowConsumerPolicy {
    /** Close the connection with 4008; the client reconnects and recovers from history. The default. */
    DISCONNECT,
    /**
     * Make room by dropping the oldest queued publication of any drop-oldest or conflating room; the client sees
     * a gap in offsets. Replies and control frames are never dropped.
     */
    DROP_OLDEST,
    /**
     * Keep only the latest unsent publication of the room: a newer one replaces the one still queued (tickers,
     * dashboards). Applies whenever the member is behind, not only at the bound; the client sees gaps in offsets.
     */
    CONFLATE;

    public static SlowConsumerPolicy parse(String value) {
        return valueOf(value.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
}
