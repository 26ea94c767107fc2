package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Handshake abuse, black-box on both servers: invalid handshakes get the RFC 6455 answers (426 with
 * {@code Sec-WebSocket-Version: 13}, 400), and while 2 000 half-open connections, a slowloris crowd or a header flood
 * press on the server, an ordinary client connects and round-trips within 2 s; afterwards the server's connection
 * count is back to its baseline.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HandshakeAbuseIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("abuse-it");
    }

    @ArquillianResource
    URL url;

    private URI ws() {
        return Deployments.ws(url);
    }

    private String path() {
        return Deployments.base(url).getPath() + "ws";
    }

    /** Sends {@code request} on a new socket; the response's head, or "closed" when the server hung up first. */
    private String exchange(String request) throws IOException {
        URI base = Deployments.base(url);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            for (int b; matched < 4 && (b = in.read()) != -1; ) {
                head.write(b);
                matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
            }
            return head.size() == 0 ? "closed" : head.toString(StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketException e) {
            return "closed";
        }
    }

    private String handshake(String version, String key, String requestLine) throws IOException {
        return exchange(requestLine + "\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + (key == null ? "" : "Sec-WebSocket-Key: " + key + "\r\n")
                + (version == null ? "" : "Sec-WebSocket-Version: " + version + "\r\n")
                + "Sec-WebSocket-Protocol: switchboard.v1\r\n\r\n");
    }

    /** An ordinary client connects and round-trips; how long it took, in ms. */
    private long roundTrip() throws Exception {
        long start = System.nanoTime();
        try (WsClient c = WsClient.connect(ws())) {
            assertEquals("rt", c.send(msg("ping", "rt")).expect("pong").getString("re"));
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private int connections() throws Exception {
        return NodeStats.of(url).getInt("connections");
    }

    @Test
    void invalidHandshakesGetTheRfcAnswers() throws Exception {
        String good = "dGhlIHNhbXBsZSBub25jZQ==";
        assertTrue(handshake("13", good, "GET " + path() + " HTTP/1.1").startsWith("HTTP/1.1 101"), "a valid one");
        String version = handshake("8", good, "GET " + path() + " HTTP/1.1");
        assertTrue(version.startsWith("HTTP/1.1 426"), version);
        assertTrue(version.toLowerCase().contains("sec-websocket-version: 13"), "426 names the version: " + version);
        assertTrue(handshake("13", null, "GET " + path() + " HTTP/1.1").startsWith("HTTP/1.1 400"), "no key");
        assertTrue(handshake("13", "not-a-nonce", "GET " + path() + " HTTP/1.1").startsWith("HTTP/1.1 400"), "a key that is not 16 bytes");
        assertTrue(handshake(null, good, "GET " + path() + " HTTP/1.1").matches("(?s)HTTP/1.1 4(00|26).*"), "no version");
        assertFalse(handshake("13", good, "GET " + path() + " HTTP/1.0").startsWith("HTTP/1.1 101"), "HTTP/1.0 is not upgraded");
        assertFalse(handshake("13", good, "POST " + path() + " HTTP/1.1").contains(" 101 "), "POST is not upgraded");
        assertTrue(roundTrip() <= 2_000, "the server goes on");
    }

    /**
     * A connection storm — 150 WebSocket handshakes started at once, as after a load balancer fails over — while a
     * live session goes on: every handshake completes, the live session's round trips stay within 2 s throughout, and
     * once the storm's connections are gone the count is back to its baseline. 150, not more: Payara Micro runs each
     * IT class on a freshly started JVM, and there (the JIT compiling on one of two cores) 200 at once slowed the live
     * session's round trip to 1.1 s, 300 to 1.6 s, and 500 starved it past its heartbeat (closed 4000); WildFly, warm,
     * took 1 000 at once with the live session's slowest round trip at 243 ms (docs/RELIABILITY.md, item 28).
     */
    @Test
    void aConnectionStormDoesNotStallALiveSession() throws Exception {
        int storm = 150;
        int baseline = connections();
        List<java.util.concurrent.CompletableFuture<java.net.http.WebSocket>> opening = new ArrayList<>();
        try (WsClient live = WsClient.connect(ws())) {
            assertEquals("warm", live.send(msg("ping", "warm")).expect("pong").getString("re"));
            HttpClient client = Quirks.http();
            for (int i = 0; i < storm; i++) {
                opening.add(client.newWebSocketBuilder().subprotocols("switchboard.v1")
                        .buildAsync(ws().resolve("ws"), new java.net.http.WebSocket.Listener() { }));
            }
            java.util.concurrent.CompletableFuture<Void> all = java.util.concurrent.CompletableFuture.allOf(
                    opening.toArray(new java.util.concurrent.CompletableFuture[0]));
            long worst = 0;
            int trips = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            do {
                long start = System.nanoTime();
                assertEquals("t" + trips, live.send(msg("ping", "t" + trips)).expect("pong").getString("re"));
                worst = Math.max(worst, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                trips++;
            } while (!all.isDone() && System.nanoTime() < deadline);
            all.get(5, TimeUnit.SECONDS); // every handshake completed (fails the test with the first that did not)
            System.out.println("HandshakeAbuseIT: storm of " + storm + ": " + trips + " live round trips meanwhile, slowest " + worst + " ms");
            assertTrue(worst <= 2_000, "the live session's round trips during the storm: slowest " + worst + " ms");
        } finally {
            for (java.util.concurrent.CompletableFuture<java.net.http.WebSocket> f : opening) {
                if (f.isDone() && !f.isCompletedExceptionally()) {
                    f.join().abort();
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int now = connections();
        while (now != baseline && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100); // bounded poll of the stats; asserted below
            now = connections();
        }
        assertEquals(baseline, now, "back to the baseline");
    }

    @Test
    void twoThousandHalfOpenConnectionsDoNotKeepAClientOut() throws Exception {
        int baseline = connections();
        URI base = Deployments.base(url);
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 2000; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
                idle.add(s);
            }
            long took = roundTrip();
            assertTrue(took <= 2_000, "an ordinary client among 2 000 half-open connections: " + took + " ms");
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
        assertEquals(baseline, connections(), "back to the baseline");
    }

    @Test
    void aSlowlorisCrowdAndAHeaderFloodDoNotKeepAClientOut() throws Exception {
        int baseline = connections();
        URI base = Deployments.base(url);
        AtomicBoolean going = new AtomicBoolean(true);
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            s.getOutputStream().write(("GET " + path() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n").getBytes(StandardCharsets.US_ASCII));
            slow.add(s);
        }
        Thread trickle = new Thread(() -> { // one more header line per connection every 200 ms, never the end
            for (int n = 0; going.get(); n++) {
                for (Socket s : slow) {
                    try {
                        s.getOutputStream().write(("X-Slow-" + n + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        // the server gave up on it: fine
                    }
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(200); // the attacker's pace, not a synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "slowloris");
        trickle.start();
        try {
            long took = roundTrip();
            assertTrue(took <= 2_000, "an ordinary client during a slowloris crowd of 200: " + took + " ms");
            String flood = exchange("GET " + path() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "X-Flood: " + "a".repeat(1_000_000) + "\r\n\r\n");
            assertFalse(flood.contains(" 101 "), "a 1 MB header is not upgraded: " + flood.lines().findFirst().orElse(""));
            took = roundTrip();
            assertTrue(took <= 2_000, "and after a header flood: " + took + " ms");
            if (!Quirks.keepsSlowRequestHeadsOpen()) {
                // the request-parse timeout (10 s, configure.cli) hangs up on every connection still trickling its head
                long start = System.nanoTime();
                for (Socket s : slow) {
                    s.setSoTimeout(15_000);
                    try {
                        while (s.getInputStream().read() != -1) {
                            // an error page may come first: read to the end
                        }
                    } catch (java.net.SocketException reset) {
                        // hung up with a reset: as good
                    }
                }
                long cut = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                System.out.println("HandshakeAbuseIT: the slowloris crowd was cut off " + cut + " ms after the checks");
            }
        } finally {
            going.set(false);
            trickle.join(5_000);
            for (Socket s : slow) {
                s.close();
            }
        }
        assertEquals(baseline, connections(), "back to the baseline");
    }
}
