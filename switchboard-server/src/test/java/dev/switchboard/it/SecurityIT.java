package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import dev.switchboard.test.TestClient;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Origins and limits, black-box. Settings: rate 20/s with a burst of 20 and 10 strikes (in this WAR),
 * 3 rooms per connection, room class {@code small} with 2 members.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SecurityIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("security-it",
                "switchboard.rate.per-second=20\nswitchboard.rate.burst=20\nswitchboard.rate.strikes=10\n"
                        + "switchboard.auth.anonymous-room-classes=*\n"
                        // the origin rules are tested here on every endpoint, the monitor's role in DoorsIT
                        + "switchboard.monitor.role=*\n");
    }

    @ArquillianResource
    URL url;

    /** The handshake's HTTP status: 101 when upgraded. */
    private int handshakeWithOrigin(String path, String origin) throws Exception {
        URI ws = Deployments.ws(url).resolve(path);
        WebSocket.Builder builder = Quirks.http().newWebSocketBuilder();
        if (origin != null) {
            builder.header("Origin", origin);
        }
        try {
            WebSocket socket = builder.buildAsync(ws, new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);
            socket.abort();
            return 101;
        } catch (ExecutionException e) {
            assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    @Test
    void onlyTheServersOwnOriginIsAcceptedBeforeTheUpgrade() throws Exception {
        int port = Deployments.base(url).getPort();
        for (String path : List.of("ws", "ws/rooms/origins", "ws/monitor")) {
            assertEquals(101, handshakeWithOrigin(path, "http://127.0.0.1:" + port), path + ": same origin");
            assertEquals(101, handshakeWithOrigin(path, null), path + ": no Origin (not a browser) is allowed by default");
            assertEquals(403, handshakeWithOrigin(path, "null"), path + ": opaque origin");
            assertEquals(403, handshakeWithOrigin(path, "https://127.0.0.1:" + port), path + ": scheme mismatch");
            assertEquals(403, handshakeWithOrigin(path, "http://127.0.0.1:" + (port + 1)), path + ": port mismatch");
            assertEquals(403, handshakeWithOrigin(path, "http://127.0.0.1.evil.example:" + port), path + ": look-alike host");
            assertEquals(403, handshakeWithOrigin(path, "http://evil.example"), path + ": another site");
            assertEquals(403, handshakeWithOrigin(path, "http://127.0.0.1:" + port + "@evil.example"), path + ": user info");
        }
    }

    @Test
    void aFloodIsRateLimitedThenClosedWith4029() throws Exception {
        try (WsClient c = WsClient.connect(Deployments.ws(url))) {
            // one message at a time, each answered before the next: the burst (20) is served, then every refused
            // message is answered rate_limited, and the 11th refusal closes the connection with 4029. Sending one at
            // a time keeps the client from writing into a connection the server has closed.
            int pongs = 0;
            int limited = 0;
            for (int i = 0; i < 200; i++) {
                c.send(msg("ping", "p" + i));
                JsonObject answer = c.nextUnlessClosed();
                if (answer == null) {
                    break;
                }
                if ("pong".equals(answer.getString("type"))) {
                    pongs++;
                } else {
                    assertEquals("rate_limited", answer.getString("code"), answer.toString());
                    limited++;
                }
            }
            WsClient.Close close = c.awaitClose();
            assertEquals(4029, close.code(), close.toString());
            assertTrue(pongs >= 20 && pongs < 200, "the burst was served, the flood was not: " + pongs);
            assertEquals(10, limited, "every refused message was answered rate_limited until the close");
        }
    }

    /** Ordinary clients (the Java client) meeting the limits: each refusal a typed error, the connection kept. */
    @Test
    void roomsPerConnectionAndMembersPerRoomAreBounded() {
        URI ws = Deployments.ws(url).resolve("ws");
        try (TestClient c = TestClient.connect(ws)) {
            for (int i = 0; i < 3; i++) {
                c.join("many-" + i);
            }
            assertEquals("too_many_rooms", c.joinRefused("many-3"));
            assertEquals(1, c.publish("many-0", "still joined").offset(), "the connection and its rooms go on");
        }
        try (TestClient first = TestClient.connect(ws); TestClient second = TestClient.connect(ws);
             TestClient third = TestClient.connect(ws)) {
            first.join("small:club");
            second.join("small:club");
            assertEquals("room_full", third.joinRefused("small:club"));
            third.join("elsewhere");
            assertEquals(1, third.publish("elsewhere", "still here").offset(), "the refused one stays connected");
        }
    }
}
