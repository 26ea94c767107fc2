package dev.switchboard.it;

/**
 * Where the two containers behave differently below what Switchboard can see, named in one place. Each quirk
 * says which container, what it does, and what the test asserts instead.
 */
final class Quirks {

    private Quirks() {
    }

    /**
     * The tests' HTTP client: HTTP/1.1 only. Payara 6.2025.10 (Grizzly, glassfish-grizzly issue 1972) now and then
     * loses the end of the body of a plain-HTTP request that asks to upgrade to h2c, as Java's HttpClient does by
     * default: the application's read blocks for the read timeout and fails (seen in MemoryIT: 1 in ~1 600 publishes).
     * Turning HTTP/2 off on the listener makes it fail every time. Browsers never ask for h2c; the README tells
     * back-ends to call the API with HTTP/1.1 or over TLS. WildFly is not affected.
     */
    static java.net.http.HttpClient http() {
        return java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * Payara Micro, 6 or 7, is the server the current failsafe execution runs on ({@code arquillian.launch}: payara,
     * payara7). Payara 7.2026.11 (Jakarta EE 11) has the same Tyrus and Grizzly behaviour as 6.2025.10 in every quirk
     * below (the same suite, measured).
     */
    static boolean payara() {
        String launch = System.getProperty("arquillian.launch", "");
        return launch.equals("payara") || launch.equals("payara7");
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

    /**
     * Tyrus on Payara 6.2025.10 completes a send to a peer that stopped reading while Grizzly still buffers it (seen
     * in QueueBoundIT: ~6.6 MB per stalled peer taken, none of it left in Switchboard's queues), so the engine's
     * queues and their node bound never hold those frames; the heartbeat (4000), or a failed send (4008), ends such a
     * peer. Undertow's send completes when the socket took the bytes, so the engine's queue, and its bound, hold the rest.
     */
    static boolean buffersSendsToStalledPeers() {
        return payara();
    }

    /**
     * Payara 6.2025.10's Grizzly has no setting bounding how long a request's head may take to arrive (its keep-alive
     * timeout applies between requests), so a slowloris connection trickling header lines is kept; each holds at most
     * its header buffer (8 KB) and, the listener being NIO, the crowd keeps no one out (HandshakeAbuseIT). WildFly's
     * Undertow has {@code request-parse-timeout}, set to 10 s by configure.cli.
     */
    static boolean keepsSlowRequestHeadsOpen() {
        return payara();
    }
}
