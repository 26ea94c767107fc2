package dev.switchboard.protocol;

import java.util.List;

/** The WebSocket subprotocols of {@code /ws} (docs/PROTOCOL.md). A client offering none is served {@link #V1}. */
public final class Subprotocols {

    /** One JSON message per text frame. */
    public static final String V1 = "switchboard.v1";
    /**
     * {@code switchboard.v1} where the server may carry several messages in one text frame, separated by {@code \n}
     * (when a connection's queue holds more than one): fewer sends, which is what costs most on some containers.
     */
    public static final String BATCH = "switchboard.v1.batch";
    /** In the server's order of preference. */
    public static final List<String> ALL = List.of(BATCH, V1);

    private Subprotocols() {
    }

    /** Whether {@code name} is one of ours. */
    public static boolean known(String name) {
        return ALL.contains(name);
    }
}
