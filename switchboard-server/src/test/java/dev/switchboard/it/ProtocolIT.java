package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import java.io.StringReader;
import java.util.List;
import java.util.ArrayList;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The wire protocol on {@code /ws} and {@code /ws/rooms/{room}}, black-box, with the WAR the build produced. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ProtocolIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("protocol-it");
    }

    @ArquillianResource
    URL url;

    URI ws;
    URI http;

    @BeforeEach
    void uris() {
        ws = Deployments.ws(url);
        http = Deployments.base(url);
    }

    static JsonObject msg(String type, String id, Object... fields) {
        var b = Json.createObjectBuilder().add("type", type);
        if (id != null) {
            b.add("id", id);
        }
        for (int i = 0; i < fields.length; i += 2) {
            Object v = fields[i + 1];
            if (v instanceof String s) {
                b.add((String) fields[i], s);
            } else if (v instanceof Integer n) {
                b.add((String) fields[i], n);
            } else if (v instanceof jakarta.json.JsonValue o) {
                b.add((String) fields[i], o);
            } else {
                throw new IllegalArgumentException("no JSON for " + v);
            }
        }
        return b.build();
    }

    @Test
    void aBatchClientGetsEveryMessageInOrderOnePerLine() throws Exception {
        try (WsClient batch = WsClient.raw(ws.resolve("ws"), "switchboard.v1.batch", "switchboard.v1");
             WsClient publisher = WsClient.connect(ws)) {
            assertEquals("switchboard.v1.batch", batch.socket.getSubprotocol(), "preferred when offered first");
            batch.send(msg("join", "j", "room", "batched"));
            publisher.send(msg("join", "j", "room", "batched"));
            publisher.skipTo("joined");
            List<JsonObject> received = new ArrayList<>();
            boolean joined = false;
            int published = 0;
            int frames = 0;
            while (received.size() < 300) {
                for (String line : batch.nextRawText().split("\n")) {
                    JsonObject m = Json.createReader(new StringReader(line)).readObject();
                    if ("joined".equals(m.getString("type"))) {
                        joined = true;
                    } else if ("message".equals(m.getString("type"))) {
                        received.add(m);
                    }
                }
                frames++;
                if (joined && published == 0) {
                    for (published = 1; published <= 300; published++) { // a burst, so the queue fills up
                        publisher.socket.sendText(msg("publish", null, "room", "batched", "data", published).toString(), true)
                                .get(5, java.util.concurrent.TimeUnit.SECONDS);
                    }
                }
            }
            for (int i = 0; i < 300; i++) {
                assertEquals(i + 1, received.get(i).getInt("data"), "every message once, in order");
                assertEquals(i + 1, received.get(i).getJsonNumber("offset").longValue());
            }
            assertTrue(frames <= 301, "never more frames than messages: " + frames);
        }
    }

    @Test
    void welcomeNamesTheConnectionAndTheLimits() throws Exception {
        try (WsClient raw = WsClient.raw(ws.resolve("ws"), "switchboard.v1")) {
            assertEquals("switchboard.v1", raw.socket.getSubprotocol());
            JsonObject welcome = raw.expect("welcome");
            assertEquals("switchboard.v1", welcome.getString("protocol"));
            assertTrue(welcome.getString("user").startsWith("guest-"), welcome.toString());
            assertEquals(65536, welcome.getJsonObject("limits").getInt("maxMessageBytes"));
            assertFalse(welcome.getString("session").isEmpty());
        }
    }

    @Test
    void publishIsAckedAndFannedOutWithGrowingOffsets() throws Exception {
        try (WsClient alice = WsClient.connect(ws); WsClient bob = WsClient.connect(ws)) {
            JsonObject joined = alice.send(msg("join", "j1", "room", "lobby")).expect("joined");
            assertEquals("j1", joined.getString("re"));
            assertEquals("lobby", joined.getString("room"));
            long start = joined.getJsonNumber("offset").longValue();
            bob.send(msg("join", "j2", "room", "lobby")).expect("joined");
            alice.awaitPresence(bob.user, true);

            for (int i = 1; i <= 3; i++) {
                alice.send(msg("publish", "p" + i, "room", "lobby", "data", Json.createObjectBuilder().add("n", i).build()));
                JsonObject own = alice.expect("message");
                JsonObject ack = alice.expect("ack");
                assertEquals("p" + i, ack.getString("re"));
                assertEquals(start + i, ack.getJsonNumber("offset").longValue());
                assertEquals(start + i, own.getJsonNumber("offset").longValue());
                JsonObject got = bob.expect("message");
                assertEquals("lobby", got.getString("room"));
                assertEquals(start + i, got.getJsonNumber("offset").longValue());
                assertEquals(i, got.getJsonObject("data").getInt("n"));
                assertEquals(joined.getString("epoch"), got.getString("epoch"));
                assertTrue(got.containsKey("from") && got.containsKey("ts"), got.toString());
            }
        }
    }

    @Test
    void aMemberOfAnotherRoomReceivesNothing() throws Exception {
        try (WsClient a = WsClient.connect(ws); WsClient b = WsClient.connect(ws)) {
            a.send(msg("join", "1", "room", "room-a")).expect("joined");
            b.send(msg("join", "1", "room", "room-b")).expect("joined");
            a.send(msg("publish", "2", "room", "room-a", "data", "secret")).expect("message");
            a.expect("ack");
            b.send(msg("ping", "3"));
            assertEquals("3", b.expect("pong").getString("re"), "room-b must get nothing of room-a");
        }
    }

    @Test
    void leaveStopsDeliveryAndAnswersLeft() throws Exception {
        try (WsClient a = WsClient.connect(ws); WsClient b = WsClient.connect(ws)) {
            a.send(msg("join", "1", "room", "leaving")).expect("joined");
            b.send(msg("join", "1", "room", "leaving")).expect("joined");
            a.awaitPresence(b.user, true);
            assertEquals("2", b.send(msg("leave", "2", "room", "leaving")).expect("left").getString("re"));
            a.awaitPresence(b.user, false);
            a.send(msg("publish", "3", "room", "leaving", "data", "x")).expect("message");
            b.send(msg("ping", "4"));
            b.expect("pong");
            assertEquals("not_joined", b.send(msg("leave", "5", "room", "leaving")).expect("error").getString("code"));
        }
    }

    @Test
    void directMessagesReachEveryConnectionOfTheUser() throws Exception {
        try (WsClient alice = WsClient.connect(ws); WsClient bob = WsClient.connect(ws)) {
            String bobName = bob.send(msg("request", "w", "method", "whoami")).expect("error").getString("code");
            assertEquals("unknown_method", bobName);
            alice.send(msg("join", "1", "room", "dm")).expect("joined");
            bob.send(msg("join", "1", "room", "dm")).expect("joined");
            String bobUser = bob.user;
            JsonObject ack = alice.send(msg("send", "s1", "to", bobUser, "data", "hello bob")).expect("ack");
            assertEquals("s1", ack.getString("re"));
            JsonObject direct = bob.expect("direct");
            assertEquals("hello bob", direct.getString("data"));
            assertTrue(direct.getString("from").startsWith("guest-"));
        }
    }

    @Test
    void requestsAreAnsweredByServerSideHandlers() throws Exception {
        try (WsClient c = WsClient.connect(ws)) {
            JsonObject payload = Json.createObjectBuilder().add("a", 1).add("b", "two").build();
            JsonObject reply = c.send(msg("request", "r1", "method", "echo", "data", payload)).expect("reply");
            assertEquals("r1", reply.getString("re"));
            assertEquals(payload, reply.getJsonObject("data"));
            JsonObject time = c.send(msg("request", "r2", "method", "time")).expect("reply");
            long now = System.currentTimeMillis();
            assertTrue(Math.abs(time.getJsonObject("data").getJsonNumber("epochMillis").longValue() - now) < 60_000, time.toString());
            JsonObject unknown = c.send(msg("request", "r3", "method", "nope")).expect("error");
            assertEquals("r3", unknown.getString("re"));
            assertEquals("unknown_method", unknown.getString("code"));
        }
    }

    @Test
    void presenceListsUsersWithConnectionCounts() throws Exception {
        try (WsClient a = WsClient.connect(ws); WsClient b = WsClient.connect(ws)) {
            a.send(msg("join", "1", "room", "who")).expect("joined");
            JsonObject joinedB = b.send(msg("join", "1", "room", "who")).expect("joined");
            assertEquals(2, joinedB.getJsonArray("presence").size(), joinedB.toString());
            JsonObject presence = a.send(msg("presence", "2", "room", "who")).skipTo("presence");
            assertEquals("2", presence.getString("re"));
            assertEquals(2, presence.getJsonArray("members").size());
            assertEquals(1, presence.getJsonArray("members").getJsonObject(0).getInt("connections"));
            assertEquals("not_joined", b.send(msg("presence", "3", "room", "elsewhere")).expect("error").getString("code"));
        }
    }

    @Test
    void everyBadInputGetsATypedErrorAndTheConnectionStaysOpen() throws Exception {
        try (WsClient c = WsClient.connect(ws)) {
            assertEquals("bad_json", c.send("{not json").expect("error").getString("code"));
            assertEquals("bad_json", c.send("[1,2]").expect("error").getString("code"));
            assertEquals("bad_json", c.send("").expect("error").getString("code"));
            JsonObject unknown = c.send(msg("dance", "u1")).expect("error");
            assertEquals("unknown_type", unknown.getString("code"));
            assertEquals("u1", unknown.getString("re"));
            assertEquals("unknown_type", c.send("{\"id\":\"u2\"}").expect("error").getString("code"));
            JsonObject missing = c.send(msg("join", "m1")).expect("error");
            assertEquals("invalid", missing.getString("code"));
            assertTrue(missing.getJsonObject("details").containsKey("room"), missing.toString());
            JsonObject badRoom = c.send(msg("join", "m2", "room", "no spaces allowed")).expect("error");
            assertEquals("invalid", badRoom.getString("code"));
            JsonObject wrongType = c.send("{\"type\":\"join\",\"id\":\"m3\",\"room\":{\"x\":1}}").expect("error");
            assertEquals("invalid", wrongType.getString("code"));
            JsonObject noData = c.send(msg("publish", "m4", "room", "r")).expect("error");
            assertTrue(noData.getJsonObject("details").containsKey("data"), noData.toString());
            JsonObject longId = c.send(msg("ping", "x".repeat(65))).expect("error");
            assertEquals("invalid", longId.getString("code"));
            assertTrue(longId.getJsonObject("details").containsKey("id"));
            assertEquals("not_joined", c.send(msg("publish", "n1", "room", "never", "data", "x")).expect("error").getString("code"));
            JsonObject nobody = c.send(msg("send", "n2", "to", "nobody-here", "data", "x")).expect("error");
            assertEquals("unknown_user", nobody.getString("code"));
            assertEquals("n2", nobody.getString("re"));
            assertEquals("p", c.send(msg("ping", "p")).expect("pong").getString("re"));
            assertTrue(c.isOpen());
        }
    }

    @Test
    void aMessageOverTheSizeLimitClosesWith1009() throws Exception {
        try (WsClient c = WsClient.connect(ws); WsClient other = WsClient.connect(ws)) {
            c.send("{\"type\":\"ping\",\"id\":\"" + "x".repeat(70 * 1024) + "\"}");
            assertEquals(1009, c.awaitClose().code());
            assertEquals("ok", other.send(msg("ping", "ok")).expect("pong").getString("re"), "others unaffected");
        }
        try (WsClient next = WsClient.connect(ws)) {
            assertEquals("after", next.send(msg("ping", "after")).expect("pong").getString("re"));
        }
    }

    @Test
    void binaryOnTheProtocolEndpointClosesWith1003() throws Exception {
        try (WsClient c = WsClient.connect(ws)) {
            c.sendBinary(new byte[] {1, 2, 3});
            assertEquals(1003, c.awaitClose().code());
        }
    }

    @Test
    void aClientOfferingOnlyOtherSubprotocolsIsRefused() {
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> Quirks.http().newWebSocketBuilder().subprotocols("mqtt")
                        .buildAsync(ws.resolve("ws"), new java.net.http.WebSocket.Listener() { })
                        .get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof WebSocketHandshakeException, refused.toString());
        assertEquals(400, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
    }

    @Test
    void plainRoomClientsPublishTextAndBinary() throws Exception {
        try (WsClient watcher = WsClient.connect(ws);
             WsClient plain1 = WsClient.raw(ws.resolve("ws/rooms/plain"));
             WsClient plain2 = WsClient.raw(ws.resolve("ws/rooms/plain"))) {
            plain1.expect("joined");
            plain2.expect("joined");
            watcher.send(msg("join", "1", "room", "plain")).expect("joined");

            plain1.send("hello from a plain client");
            JsonObject seen = watcher.expect("message");
            assertEquals("hello from a plain client", seen.getString("data"));
            plain1.send("{\"temp\":21.5}");
            assertEquals(21.5, watcher.expect("message").getJsonObject("data").getJsonNumber("temp").doubleValue());
            assertEquals("hello from a plain client", plain2.expect("message").getString("data"));
            plain2.expect("message");

            plain1.sendBinary(new byte[] {7, 8, 9});
            org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {7, 8, 9}, plain2.nextBinary());
        }
    }

    /**
     * A publisher whose connection dropped after sending a keyed publish cannot know whether it landed: it sends it
     * again on a new connection with the same key, and it lands once — the retry is acked with the first offset. Over
     * HTTP, {@code Idempotency-Key} does the same. A malformed key is refused with {@code invalid}.
     */
    @Test
    void aPublishRetriedWithItsKeyAfterACutLandsOnce() throws Exception {
        try (WsClient member = WsClient.connect(ws)) {
            member.send(msg("join", "1", "room", "retried")).expect("joined");
            long first;
            try (WsClient publisher = operator()) {
                publisher.send(msg("join", "1", "room", "retried")).expect("joined");
                publisher.send(msg("publish", "2", "room", "retried", "data", "exactly once", "key", "order-42"));
                first = publisher.skipTo("ack").getJsonNumber("offset").longValue();
            } // the connection is gone before the client could be sure: it retries on a new one
            try (WsClient again = operator()) {
                again.send(msg("join", "1", "room", "retried")).expect("joined");
                JsonObject ack = again.send(msg("publish", "2", "room", "retried", "data", "exactly once", "key", "order-42"))
                        .skipTo("ack");
                assertEquals(first, ack.getJsonNumber("offset").longValue(), "the retry is acked with the first offset");
            }
            try (WsClient guest = WsClient.connect(ws)) {
                guest.send(msg("join", "1", "room", "retried")).expect("joined");
                JsonObject ack = guest.send(msg("publish", "2", "room", "retried", "data", "a guest's", "key", "order-42"))
                        .skipTo("ack");
                assertEquals(first + 1, ack.getJsonNumber("offset").longValue(), "another publisher's equal key is its own");
            }
            assertEquals("exactly once", member.skipTo("message").getString("data"));
            assertEquals("a guest's", member.skipTo("message").getString("data"), "the retry published nothing");

            JsonObject refused = member.send(msg("publish", "3", "room", "retried", "data", 1, "key", "no spaces please"))
                    .expect("error");
            assertEquals("invalid", refused.getString("code"));
            assertTrue(refused.getJsonObject("details").containsKey("key"), refused.toString());

            HttpClient client = Quirks.http();
            java.util.function.Supplier<HttpRequest> post = () -> Deployments.withKey(HttpRequest.newBuilder(http.resolve("api/rooms/retried/messages")))
                    .header("Content-Type", "application/json").header("Idempotency-Key", "invoice-7")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"invoice\":7}")).build();
            HttpResponse<String> r1 = client.send(post.get(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> r2 = client.send(post.get(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, r1.statusCode(), r1.body());
            assertEquals(r1.body(), r2.body(), "the retried HTTP publish answers with the first publication");
            assertEquals(7, member.skipTo("message").getJsonObject("data").getInt("invoice"));
            assertEquals("after", member.send(msg("publish", "4", "room", "retried", "data", "after")).skipTo("message")
                    .getString("data"), "nothing came between: the HTTP retry published nothing");
        }
    }

    /** A connection of the test WARs' operator, signed in with a fresh ticket (the same user on every connection). */
    private WsClient operator() throws Exception {
        HttpResponse<String> issued = Quirks.http().send(HttpRequest.newBuilder(http.resolve("api/tickets"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        (Deployments.OPERATOR + ":" + Deployments.OPERATOR_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, issued.statusCode(), issued.body());
        String ticket = Json.createReader(new java.io.StringReader(issued.body())).readObject().getString("ticket");
        WsClient c = WsClient.raw(ws.resolve("ws"), "switchboard.v1", "ticket." + ticket);
        assertEquals(Deployments.OPERATOR, c.expect("welcome").getString("user"));
        return c;
    }

    @Test
    void httpPublishReachesTheRoom() throws Exception {
        try (WsClient c = WsClient.connect(ws)) {
            c.send(msg("join", "1", "room", "news")).expect("joined");
            HttpResponse<String> response = Quirks.http().send(Deployments.withKey(HttpRequest.newBuilder(http.resolve("api/rooms/news/messages")))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"headline\":\"it works\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, response.statusCode(), response.body());
            JsonObject publication = Json.createReader(new java.io.StringReader(response.body())).readObject();
            JsonObject message = c.expect("message");
            assertEquals("it works", message.getJsonObject("data").getString("headline"));
            assertEquals(publication.getJsonNumber("offset").longValue(), message.getJsonNumber("offset").longValue());
            assertFalse(message.containsKey("from"), "server publications have no sender: " + message);

            HttpResponse<String> bad = Quirks.http().send(Deployments.withKey(HttpRequest.newBuilder(http.resolve("api/rooms/news/messages")))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{oops")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("bad_json"), bad.body());
        }
    }
}
