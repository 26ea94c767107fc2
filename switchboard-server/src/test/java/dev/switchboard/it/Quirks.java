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

    /** The server the current failsafe execution runs on ({@code arquillian.launch}; pom.xml, arquillian.xml). */
    static String launch() {
        return System.getProperty("arquillian.launch", "");
    }

    /** Payara Micro, 6 or 7 ({@code arquillian.launch}: payara, payara7). */
    static boolean payara() {
        return launch().equals("payara") || launch().equals("payara7");
    }

    /**
     * A Grizzly and Tyrus container: Payara Micro 6 or 7, or GlassFish 7. Payara 7.2026.11 (Jakarta EE 11) and
     * GlassFish 7.0.21 (Tyrus 2.1.5) have the same Tyrus and Grizzly behaviour as Payara 6.2025.10 in every quirk below
     * that names Tyrus or Grizzly (the same suite, measured).
     */
    static boolean tyrus() {
        return payara() || launch().equals("glassfish");
    }

    /**
     * The server's TLS port, where the build put it: Payara Micro {@code --sslport 10443} (arquillian.xml), GlassFish's
     * http-listener-2 at portbase 10200 + 81 (pom.xml, glassfish-domain), Liberty's 10381 (src/test/liberty),
     * WildFly's 8443 + offset 100.
     */
    static int tlsPort() {
        return switch (launch()) {
            case "payara", "payara7" -> 10443;
            case "glassfish" -> 10281;
            case "liberty" -> 10381;
            default -> 8543;
        };
    }

    /** A word only the current server's JVM has on its command line (HeapIT finds its pid by it). */
    static String processMarker() {
        return switch (launch()) {
            case "payara", "payara7" -> "PayaraMicroHost.java"; // the suite's one Payara Micro (it.payara.PayaraMicroSuite)
            case "glassfish" -> "domains/switchboard";
            case "liberty" -> "ws-server.jar";
            default -> "jboss-modules.jar";
        };
    }

    /**
     * Tyrus on Payara 6.2025.10 does not close on an unmasked client frame (RFC 6455 5.1 requires it): the frame
     * is not delivered and the connection hangs until the heartbeat ends it (4000). Undertow closes with 1002.
     */
    static boolean acceptsUnmaskedFrames() {
        return tyrus();
    }

    /**
     * Payara 6.2025.10 bundles no Tyrus permessage-deflate extension, so it cannot be negotiated there even when
     * Switchboard allows it; nor can it on GlassFish 7.0.21 or Open Liberty 26.0.0.3 (its own WebSocket implementation
     * offers no extension). WildFly's Undertow has it (switched on by configure.cli).
     */
    static boolean hasNoDeflate() {
        return tyrus() || launch().equals("liberty");
    }

    /**
     * Tyrus on Payara 6.2025.10 completes a send to a peer that stopped reading while Grizzly still buffers it (seen
     * in QueueBoundIT: ~6.6 MB per stalled peer taken, none of it left in Switchboard's queues), so the engine's
     * queues and their node bound never hold those frames; the heartbeat (4000), or a failed send (4008), ends such a
     * peer. Undertow's send completes when the socket took the bytes, so the engine's queue, and its bound, hold the rest.
     */
    static boolean buffersSendsToStalledPeers() {
        return tyrus();
    }

    /**
     * Payara 6.2025.10's Grizzly has no setting bounding how long a request's head may take to arrive (its keep-alive
     * timeout applies between requests), so a slowloris connection trickling header lines is kept; each holds at most
     * its header buffer (8 KB) and, the listener being NIO, the crowd keeps no one out (HandshakeAbuseIT). Open Liberty
     * 26.0.0.3 likewise: its {@code httpOptions readTimeout} (60 s) runs from the last byte read, which a trickle resets
     * (measured: the crowd still connected 15 s after the checks). WildFly's
     * Undertow has {@code request-parse-timeout}, set to 10 s by configure.cli.
     */
    static boolean keepsSlowRequestHeadsOpen() {
        return tyrus() || launch().equals("liberty");
    }

    /**
     * GlassFish 7.0.21 answers 500 to a request whose path holds a ':' (a room class: {@code staff:ops}), encoded or
     * not, before the application sees it: its JACC provider builds a permission from the path ("invalid
     * URLPatternSpec", exousia issue 37; Payara 7.2025.1 had it too). The server API takes the room in the query
     * instead ({@code /api/rooms/messages?room=staff:ops}, RoomsResource), on every server.
     */
    static boolean refusesColonsInPaths() {
        return launch().equals("glassfish");
    }

    /**
     * The server API's path for {@code what} ("messages", "presence") of {@code room}: {@code api/rooms/<room>/<what>},
     * or, where the container refuses the room's ':' in a path, {@code api/rooms/<what>?room=<room>}.
     */
    static String roomApi(String room, String what) {
        if (room.indexOf(':') >= 0 && refusesColonsInPaths()) {
            return "api/rooms/" + what + "?room=" + java.net.URLEncoder.encode(room, java.nio.charset.StandardCharsets.UTF_8);
        }
        return "api/rooms/" + room + "/" + what;
    }

    /**
     * Open Liberty 26.0.0.3's frame reader misreads a flood of frames that carry nothing (5 000 unsolicited pongs, or
     * 10 000 empty continuation frames, sent back to back; 2 000 pongs and 100 empty continuations are absorbed), and
     * how depends on how the frames arrive: a close with 1002 (most runs), with 1007 after an FFDC
     * {@code MalformedInputException} in {@code LinkRead.convertMessageToString} (the continuations' message, "end",
     * reassembled wrong), or no answer at all (a CI run, stop 41: the pongs' connection silent past the read timeout).
     * The server goes on serving others. Tyrus and Undertow absorb both floods.
     */
    static boolean misreadsFloodsOfEmptyFrames() {
        return launch().equals("liberty");
    }

    /**
     * Open Liberty 26.0.0.3 does not answer a close frame whose code is 5000 or above (RFC 6455 7.4.2: invalid, a
     * protocol error): no close frame comes back and the connection stays open until the heartbeat ends it (4000).
     * It answers codes below 1000 and the reserved ones (1004-1006, 1015) with 1002, as the others do.
     */
    static boolean ignoresCloseCodesFrom5000() {
        return launch().equals("liberty");
    }

    /**
     * Open Liberty 26.0.0.3 keeps the buffers it read an oversized message into, when the client sent it in fragments
     * (Java's WebSocket client does): after the first ten 10 MB messages refused with 1009 its live set after a full GC
     * is ~40 MiB higher, and stays there (measured with a raw client: 40 → 81 MiB after the first 10, 81-83 MiB after
     * 60 more; unfragmented, no growth at all). A pool, filled per worker thread, not a leak: HeapIT allows it 48 MiB
     * for ten more refusals after ten. Tyrus and Undertow keep nothing (≤ 8 MiB asserted).
     */
    static boolean poolsBuffersOfLargeReads() {
        return launch().equals("liberty");
    }

    /**
     * Whether the container provides OpenTelemetry (MicroProfile Telemetry) to the application: Payara Micro 6 and 7,
     * and Open Liberty with the product's server.xml ({@code mpTelemetry-2.0}; its application needs third-party API
     * visibility, arquillian.xml). GlassFish 7 has none; WildFly only with its OpenTelemetry subsystem, which the
     * configuration the product ships does not add: the engine's tracing is off there.
     */
    static boolean hasOpenTelemetry() {
        return payara() || launch().equals("liberty");
    }

    /**
     * Whether the container has MicroProfile Health at its root ({@code /health/live}, {@code /health/ready}), where
     * the engine's checks are registered too: Payara Micro 6 and 7, and Open Liberty with the product's server.xml
     * ({@code mpHealth-4.0}). GlassFish 7 has none; WildFly has it only in its MicroProfile configuration, on the
     * management port — not the configuration the product ships.
     */
    static boolean hasMicroProfileHealth() {
        return payara() || launch().equals("liberty");
    }
}
