package dev.switchboard;

/**
 * Every close code Switchboard sends, with what it means to a client. Mirrored in {@code switchboard-js/switchboard.js}
 * ({@code CloseCodes}); a test checks that the two tables agree. The client does not reconnect after
 * {@link #NORMAL}, {@link #POLICY_VIOLATION}, {@link #UNAUTHENTICATED} and {@link #FORBIDDEN}; it reconnects with
 * backoff after everything else ({@link #CREDENTIALS_EXPIRED}: with new credentials).
 */
public final class CloseCodes {
    /** The client or the application ended the connection on purpose. */
    public static final int NORMAL = 1000;
    /** The server is shutting down or the application is undeployed: reconnect, possibly elsewhere. */
    public static final int GOING_AWAY = 1001;
    /** A frame of a kind this endpoint does not accept (binary on {@code /ws}). */
    public static final int UNSUPPORTED_DATA = 1003;
    /** Invalid UTF-8, or input after which the connection cannot continue. */
    public static final int INVALID_PAYLOAD = 1007;
    /** Policy: signed out or revoked. */
    public static final int POLICY_VIOLATION = 1008;
    /** A message larger than {@code switchboard.max-message-bytes}. */
    public static final int TOO_BIG = 1009;
    /** An unexpected server error; reconnect with backoff. */
    public static final int SERVER_ERROR = 1011;
    /** The service is restarting: reconnect with backoff. */
    public static final int SERVICE_RESTART = 1012;
    /** Over capacity (e.g. too many connections for this user), or no first message in time: try again later. */
    public static final int TRY_AGAIN_LATER = 1013;
    /**
     * The connection's credentials expired before the client refreshed them: ask for new credentials and reconnect
     * (the client recovers what it missed from history).
     */
    public static final int CREDENTIALS_EXPIRED = 4001;
    /** The peer did not answer a heartbeat ping within two intervals: it is gone. Reconnect. */
    public static final int HEARTBEAT_TIMEOUT = 4000;
    /** Slow consumer: the outbound queue overflowed its bound or a send timed out. */
    public static final int SLOW_CONSUMER = 4008;
    /** Rate limit exceeded repeatedly. */
    public static final int RATE_LIMITED = 4029;
    /** No valid credentials. Do not reconnect without new credentials. */
    public static final int UNAUTHENTICATED = 4401;
    /** Authenticated but not allowed. Do not reconnect. */
    public static final int FORBIDDEN = 4403;

    private CloseCodes() {
    }
}
