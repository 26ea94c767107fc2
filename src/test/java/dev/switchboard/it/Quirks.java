package dev.switchboard.it;

/**
 * Where the two containers behave differently below what Switchboard can see, named in one place. Each quirk
 * says which container, what it does, and what the test asserts instead.
 */
final class Quirks {

    private Quirks() {
    }

    /** The server the current failsafe execution runs on ({@code arquillian.launch}). */
    static boolean payara() {
        return "payara".equals(System.getProperty("arquillian.launch"));
    }

    /**
     * Tyrus on Payara 6.2025.10 does not close on an unmasked client frame (RFC 6455 5.1 requires it): the frame
     * is not delivered and the connection hangs until the heartbeat ends it (4000). Undertow closes with 1002.
     */
    static boolean acceptsUnmaskedFrames() {
        return payara();
    }

    /**
     * Payara 6.2025.10 bundles no Tyrus permessage-deflate extension, so it cannot be negotiated there even when
     * Switchboard allows it; WildFly's Undertow has it (switched on by configure.cli).
     */
    static boolean hasNoDeflate() {
        return payara();
    }
}
