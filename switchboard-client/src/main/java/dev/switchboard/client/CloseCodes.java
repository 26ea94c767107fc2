package dev.switchboard.client;

import java.util.Set;

/**
 * The close codes of the switchboard.v1 protocol (docs/PROTOCOL.md), mirrored from the server's
 * {@code dev.switchboard.CloseCodes} and the JavaScript client's table; a test checks that they agree. The client
 * stays closed after {@link #NO_RECONNECT}; after every other code it reconnects with backoff and recovers.
 */
public final class CloseCodes {
    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    /** Not sent by servers: the connection dropped without a close frame (or the handshake failed). */
    public static final int ABNORMAL = 1006;
    public static final int UNSUPPORTED_DATA = 1003;
    public static final int INVALID_PAYLOAD = 1007;
    public static final int POLICY_VIOLATION = 1008;
    public static final int TOO_BIG = 1009;
    public static final int SERVER_ERROR = 1011;
    public static final int SERVICE_RESTART = 1012;
    public static final int TRY_AGAIN_LATER = 1013;
    public static final int HEARTBEAT_TIMEOUT = 4000;
    /** Reconnects, asking the credentials supplier again. */
    public static final int CREDENTIALS_EXPIRED = 4001;
    public static final int SLOW_CONSUMER = 4008;
    public static final int RATE_LIMITED = 4029;
    public static final int UNAUTHENTICATED = 4401;
    public static final int FORBIDDEN = 4403;

    /** After these the client stays closed: reconnecting would not help. */
    public static final Set<Integer> NO_RECONNECT = Set.of(NORMAL, POLICY_VIOLATION, UNAUTHENTICATED, FORBIDDEN);

    private CloseCodes() {
    }

    /** Whether the client reconnects after {@code code}. */
    public static boolean reconnects(int code) {
        return !NO_RECONNECT.contains(code);
    }
}
