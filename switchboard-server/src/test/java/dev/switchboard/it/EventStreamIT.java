package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Server-Sent Events fallback on every server, as a client whose network blocks WebSocket reads it: {@code GET /sse}
 * with a bearer or a ticket in the query, the rooms' publications as events whose {@code id} holds every room's
 * position, recovery from {@code Last-Event-ID} after a reconnect, heartbeats as comments — and every refusal: the
 * anonymous and the wrong role in a guarded room, forged and used credentials, a foreign origin, too many rooms, an
 * oversized or malformed {@code Last-Event-ID}, the flood. The browser's fallback is in {@link BrowserIT}.
 * This WAR: class {@code staff} needs role {@code ops}; 4 rooms per connection; heartbeat 2 s; the API's rate 20/s
 * (burst 20) per caller, which bounds how fast streams are opened.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class EventStreamIT {

    static final String SECRET = "sse-it-secret-for-switchboard-0123456789abc";
    static final String KEY = "sse-backend-key-0123456789";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("sse-it", "switchboard.auth.jwt-secret=" + SECRET + "\n"
                + "switchboard.room-class.staff.roles=ops\n"
                + "switchboard.max-rooms-per-connection=4\n"
                + "switchboard.heartbeat-ms=2000\n"
                + "switchboard.api.keys=backend:" + KEY + "\n"
                + "switchboard.api.rate.per-second=20\nswitchboard.api.rate.burst=20\n");
    }

    @ArquillianResource
    URL url;

    private final HttpClient http = Quirks.http();

    private static String bearer(String user, String... roles) throws Exception {
        return AuthIT.token(user, List.of(roles), Instant.now().plusSeconds(300), SECRET);
    }

    private URI sse(String query) {
        return Deployments.base(url).resolve("sse?" + query);
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private WsClient publisher() throws Exception {
        WsClient client = WsClient.raw(Deployments.ws(url).resolve("ws"), "switchboard.v1", "bearer." + bearer("pat", "chat"));
        client.expect("welcome");
        return client;
    }

    private static void publish(WsClient client, String room, int value) throws InterruptedException {
        client.send(msg("publish", "p" + value, "room", room, "data", value));
        client.skipTo("ack");
    }

    @Test
    void aStreamDeliversEveryRoomsPublicationsAndRecoversFromLastEventId() throws Exception {
        String a = "chat:sse-a";
        String b = "chat:sse-b";
        String lastId;
        try (WsClient pat = publisher()) {
            pat.send(msg("join", "ja", "room", a)).skipTo("joined");
            pat.send(msg("join", "jb", "room", b)).skipTo("joined");
            try (SseStream stream = SseStream.open(http, sse("room=" + q(a) + "&room=" + q(b) + "&access_token="
                    + bearer("ann", "chat")))) {
                assertEquals(200, stream.status, stream.refusal);
                assertEquals("ann", stream.nextOf("welcome").json().getString("user"));
                SseStream.Event joinedA = stream.nextOf("joined");
                assertEquals(a, joinedA.json().getString("room"));
                assertTrue(joinedA.id().startsWith(a + "~"), "a joined event carries the positions: " + joinedA.id());
                assertEquals(b, stream.nextOf("joined").json().getString("room"));
                publish(pat, a, 1);
                publish(pat, a, 2);
                publish(pat, b, 3);
                List<Integer> got = new ArrayList<>();
                SseStream.Event last = null;
                for (int i = 0; i < 3; i++) {
                    last = stream.nextOf("message");
                    got.add(last.json().getInt("data"));
                }
                assertEquals(List.of(1, 2, 3), got, "every publication, in order");
                lastId = last.id();
                Map<String, String> positions = positions(lastId);
                assertTrue(positions.get(a).endsWith("~2") && positions.get(b).endsWith("~1"),
                        "the id holds every room's position: " + lastId);
                assertEquals("heartbeat", stream.comment(Duration.ofSeconds(6)), "heartbeats are comments");
            }
            publish(pat, a, 4); // while the stream is away
            publish(pat, b, 5);
            publish(pat, a, 6);
        }
        try (SseStream again = SseStream.open(http, sse("room=" + q(a) + "&room=" + q(b) + "&access_token="
                + bearer("ann", "chat")), "Last-Event-ID", lastId)) {
            assertEquals(200, again.status, again.refusal);
            Map<String, List<Integer>> recovered = new TreeMap<>();
            int joined = 0;
            while (recovered.values().stream().mapToInt(List::size).sum() < 3) {
                SseStream.Event e = again.next();
                JsonObject f = e.json();
                if (f.getString("type").equals("joined")) {
                    assertTrue(f.getBoolean("recovered"), "recovered from Last-Event-ID: " + f);
                    joined++;
                } else if (f.getString("type").equals("message")) {
                    recovered.computeIfAbsent(f.getString("room"), r -> new ArrayList<>()).add(f.getInt("data"));
                }
            }
            assertEquals(2, joined);
            assertEquals(Map.of(a, List.of(4, 6), b, List.of(5)), recovered, "exactly what was missed, in order per room");
        }
    }

    @Test
    void aTicketOpensOneStreamOnceAndTheSocketsRulesHoldForTheRest() throws Exception {
        HttpResponse<String> issued = http.send(HttpRequest.newBuilder(Deployments.base(url).resolve("api/tickets"))
                .header("Authorization", "Bearer " + bearer("tim", "ops")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, issued.statusCode(), issued.body());
        String ticket = Json.createReader(new StringReader(issued.body())).readObject().getString("ticket");
        try (SseStream once = SseStream.open(http, sse("room=staff%3Alog&ticket=" + q(ticket)))) {
            assertEquals(200, once.status, once.refusal);
            assertEquals("tim", once.nextOf("welcome").json().getString("user"));
            assertEquals("staff:log", once.nextOf("joined").json().getString("room"));
        }
        assertRefused(401, "unauthenticated", sse("room=staff%3Alog&ticket=" + q(ticket)), "a used ticket");
        assertRefused(403, "forbidden", sse("room=staff%3Alog"), "a guest in a guarded room");
        assertRefused(403, "forbidden", sse("room=staff%3Alog&access_token=" + bearer("ann", "chat")), "the wrong role");
        assertRefused(401, "unauthenticated", sse("room=chat%3Ax&access_token=forged.token.here"), "a forged bearer");
        assertRefused(401, "unauthenticated", sse("room=chat%3Ax&ticket=forged"), "a forged ticket");
        assertRefused(400, "invalid", sse("room=a&room=b&room=c&room=d&room=e"), "more rooms than a connection may join");
        assertRefused(400, "invalid", sse("room=" + q("not a room")), "a room that is not a room name");
        assertRefused(400, "invalid", sse("room=chat%3Ax"), "a malformed Last-Event-ID", "Last-Event-ID", "nonsense");
        assertRefused(400, "invalid", sse("room=chat%3Ax"), "an oversized Last-Event-ID", "Last-Event-ID",
                ("chat:x~e~1,").repeat(500)); // 5 500 characters: over the 4 096 taken, under any container's header bound
        assertRefused(403, "forbidden", sse("room=chat%3Ax"), "a foreign origin", "Origin", "http://evil.example");
    }

    @Test
    void aFloodOfStreamsIsRefusedWith429() throws Exception {
        String token = bearer("flo", "chat");
        List<java.util.concurrent.CompletableFuture<HttpResponse<java.io.InputStream>>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // at once, over a rate of 20/s (burst 20)
            calls.add(http.sendAsync(HttpRequest.newBuilder(sse("room=chat%3Aflood&access_token=" + token)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream()));
        }
        int limited = 0;
        for (var call : calls) {
            HttpResponse<java.io.InputStream> r = call.get(30, java.util.concurrent.TimeUnit.SECONDS);
            if (r.statusCode() == 429) {
                limited++;
                assertTrue(r.headers().firstValue("Retry-After").isPresent(), "429 says when to come back");
            }
            r.body().close();
        }
        assertTrue(limited > 0, "40 streams at once over a rate of 20/s: the flood is refused");
    }

    private void assertRefused(int status, String code, URI uri, String what, String... headers) throws Exception {
        try (SseStream refused = SseStream.open(http, uri, headers)) {
            assertEquals(status, refused.status, what + ": " + refused.refusal);
            assertEquals(code, Json.createReader(new StringReader(refused.refusal)).readObject().getString("code"), what);
        }
    }

    /** The positions in an event id, by room. */
    private static Map<String, String> positions(String id) {
        Map<String, String> byRoom = new TreeMap<>();
        for (String entry : id.split(",")) {
            byRoom.put(entry.substring(0, entry.indexOf('~')), entry.substring(entry.indexOf('~') + 1));
        }
        return byRoom;
    }
}
