package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every door refuses strangers: the server API ({@code /api/rooms/…}), the operations surfaces ({@code /api/stats},
 * {@code /api/monitor/marks}, {@code /ws/monitor}) and the handshake's own hygiene, black-box on both servers — the
 * anonymous, the wrong key, the wrong password, the wrong role, the oversized and the flood, each with its status and
 * typed error code; and nothing secret in the server's log on any of these paths.
 * This WAR: alice (role chat) and ops (role admin) sign in with passwords; tokens are signed with {@link #SECRET};
 * room class {@code staff} needs role {@code ops}; one server key; messages up to 1 024 bytes; the API's rate 20/s
 * (burst 20) per caller; the monitor streams every logger ({@code *}), so the log check sees the container's lines too.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DoorsIT {

    static final String SECRET = "doors-it-secret-for-switchboard-0123456789";
    static final String KEY = "doors-backend-key-0123456789";
    static final String ALICE_PASSWORD = "wonderland-Pa55-secret";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("doors-it", "switchboard.rate.per-second=100000\nswitchboard.rate.burst=100000\n"
                + "switchboard.auth.users=alice:" + ALICE_PASSWORD + ":chat,ops:ops-password:admin\n"
                + "switchboard.auth.jwt-secret=" + SECRET + "\n"
                + "switchboard.room-class.staff.roles=ops\n"
                + "switchboard.api.keys=backend:" + KEY + "\n"
                + "switchboard.api.rate.per-second=20\nswitchboard.api.rate.burst=20\n"
                + "switchboard.max-message-bytes=1024\n"
                + "switchboard.monitor.loggers=*\n");
    }

    @ArquillianResource
    URL url;

    private final HttpClient http = Quirks.http();

    private static String bearer(String user, String... roles) throws Exception {
        return AuthIT.token(user, List.of(roles), Instant.now().plusSeconds(300), SECRET);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private URI api(String path) {
        return Deployments.base(url).resolve(path);
    }

    /** An HTTP call; {@code auth} is a header line "Name: value", or null. */
    private HttpResponse<String> call(String method, String path, String auth, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(api(path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            int colon = auth.indexOf(':');
            b.header(auth.substring(0, colon), auth.substring(colon + 1).trim());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String code(HttpResponse<String> response) {
        JsonObject error = Json.createReader(new StringReader(response.body())).readObject();
        assertEquals("error", error.getString("type"), response.body());
        return error.getString("code");
    }

    private static void refused(HttpResponse<String> response, int status, String code, String what) {
        assertEquals(status, response.statusCode(), what + ": " + response.body());
        assertEquals(code, code(response), what);
    }

    /** The handshake's status (101: upgraded). */
    private int handshake(String path, String origin, String... subprotocols) throws Exception {
        WebSocket.Builder builder = http.newWebSocketBuilder();
        if (origin != null) {
            builder.header("Origin", origin);
        }
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        try {
            builder.buildAsync(Deployments.ws(url).resolve(path), new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS).abort();
            return 101;
        } catch (ExecutionException e) {
            assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    @Test
    void theServerApiServesKeysAndUsersWithTheRightAndRefusesEveryoneElse() throws Exception {
        try (WsClient member = WsClient.raw(Deployments.ws(url).resolve("ws"), "switchboard.v1", "bearer." + bearer("carol", "ops"))) {
            member.expect("welcome");
            member.send(msg("join", "1", "room", "staff:ops")).expect("joined");
            String publish = Quirks.roomApi("staff:ops", "messages");

            HttpResponse<String> anonymous = call("POST", publish, null, "{\"n\":0}");
            refused(anonymous, 401, "unauthenticated", "no credentials");
            assertTrue(anonymous.headers().firstValue("WWW-Authenticate").isPresent(), "a challenge");
            refused(call("POST", publish, "X-Switchboard-Key: not-the-key-0123456789", "{\"n\":0}"), 401, "unauthenticated", "wrong key");
            refused(call("POST", publish, "X-Switchboard-Key: " + KEY.substring(0, KEY.length() - 1), "{\"n\":0}"), 401,
                    "unauthenticated", "a prefix of the key");
            assertEquals(401, call("POST", publish, "Authorization: " + basic("alice", "guess"), "{\"n\":0}").statusCode(), "wrong password");
            assertEquals(401, call("POST", publish, "Authorization: Bearer " + AuthIT.token("carol", List.of("ops"),
                    Instant.now().plusSeconds(300), "another-secret-of-at-least-32-bytes-000000"), "{\"n\":0}").statusCode(), "forged token");
            refused(call("POST", publish, "Authorization: " + basic("alice", ALICE_PASSWORD), "{\"n\":0}"), 403, "forbidden",
                    "alice lacks the role ops");
            refused(call("GET", Quirks.roomApi("staff:ops", "presence"), null, null), 401, "unauthenticated", "presence, anonymous");
            refused(call("GET", Quirks.roomApi("staff:ops", "presence"), "Authorization: Bearer " + bearer("alice", "chat"), null), 403,
                    "forbidden", "presence, wrong role");

            HttpResponse<String> byUser = call("POST", publish, "Authorization: Bearer " + bearer("dave", "ops"), "{\"n\":1}");
            assertEquals(202, byUser.statusCode(), byUser.body());
            HttpResponse<String> byKey = call("POST", publish, "X-Switchboard-Key: " + KEY, "{\"n\":2}");
            assertEquals(202, byKey.statusCode(), byKey.body());
            // nothing refused was published: the member sees exactly the two accepted ones, in order
            assertEquals(1, member.expect("message").getJsonObject("data").getInt("n"));
            assertEquals(2, member.expect("message").getJsonObject("data").getInt("n"));
            HttpResponse<String> presence = call("GET", Quirks.roomApi("staff:ops", "presence"), "X-Switchboard-Key: " + KEY, null);
            assertEquals(200, presence.statusCode());
            assertTrue(presence.body().contains("carol"), presence.body());
            assertEquals(200, call("GET", Quirks.roomApi("staff:ops", "presence"), "Authorization: Bearer " + bearer("dave", "ops"), null).statusCode());
            assertEquals("still", member.send(msg("ping", "still")).expect("pong").getString("re"));
        }
    }

    /** The query form of the server API (for containers that refuse a ':' in a path: Quirks), on every server. */
    @Test
    void theRoomInTheQueryServesRoomClassesAndRefusesAsThePathFormDoes() throws Exception {
        try (WsClient member = WsClient.raw(Deployments.ws(url).resolve("ws"), "switchboard.v1", "bearer." + bearer("carol", "ops"))) {
            member.expect("welcome");
            member.send(msg("join", "1", "room", "staff:ops")).expect("joined");
            refused(call("POST", "api/rooms/messages?room=staff%3Aops", null, "{\"q\":0}"), 401, "unauthenticated", "anonymous");
            refused(call("POST", "api/rooms/messages?room=staff%3Aops", "Authorization: " + basic("alice", ALICE_PASSWORD), "{\"q\":0}"),
                    403, "forbidden", "alice lacks the role ops");
            refused(call("POST", "api/rooms/messages", "X-Switchboard-Key: " + KEY, "{\"q\":0}"), 400, "invalid", "no room");
            HttpResponse<String> byKey = call("POST", "api/rooms/messages?room=staff%3Aops", "X-Switchboard-Key: " + KEY, "{\"q\":1}");
            assertEquals(202, byKey.statusCode(), byKey.body());
            assertEquals(1, member.expect("message").getJsonObject("data").getInt("q"), "only the accepted one arrived");
            HttpResponse<String> presence = call("GET", "api/rooms/presence?room=staff%3Aops", "X-Switchboard-Key: " + KEY, null);
            assertEquals(200, presence.statusCode(), presence.body());
            assertTrue(presence.body().contains("carol"), presence.body());
        }
    }

    @Test
    void aBodyOverTheMessageLimitGets413ChunkedOrNot() throws Exception {
        String auth = "X-Switchboard-Key: " + KEY;
        String big = "{\"pad\":\"" + "x".repeat(1100) + "\"}";
        refused(call("POST", "api/rooms/big/messages", auth, big), 413, "too_big", "declared length");
        HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(api("api/rooms/big/messages"))
                .header("Content-Type", "application/json").header("X-Switchboard-Key", KEY)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                .build(), HttpResponse.BodyHandlers.ofString());
        refused(chunked, 413, "too_big", "chunked, no length");
        HttpResponse<String> fits = call("POST", "api/rooms/big/messages", auth, "{\"pad\":\"" + "x".repeat(900) + "\"}");
        assertEquals(202, fits.statusCode(), fits.body());
        assertEquals(1, Json.createReader(new StringReader(fits.body())).readObject().getInt("offset"),
                "the refused bodies were not published");
    }

    @Test
    void aRequestNoResourceAnswersGetsTheContainersStatusNotAFailure() throws Exception {
        String auth = "X-Switchboard-Key: " + KEY;
        assertEquals(404, call("GET", "api/no-such-resource", auth, null).statusCode(), "unknown path");
        assertEquals(405, call("GET", "api/rooms/news/messages", auth, null).statusCode(), "wrong method");
        HttpResponse<String> text = http.send(HttpRequest.newBuilder(api("api/rooms/news/messages"))
                .header("Content-Type", "text/plain").header("X-Switchboard-Key", KEY)
                .POST(HttpRequest.BodyPublishers.ofString("hello")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(415, text.statusCode(), "not JSON: " + text.body());
    }

    @Test
    void aFloodGets429PerCallerAndOthersGoOn() throws Exception {
        String flooder = "Authorization: Bearer " + bearer("flooder");
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> limited = null;
        for (int i = 0; i < 60 && limited == null; i++) {
            HttpResponse<String> r = call("POST", "api/rooms/flood/messages", flooder, "{\"i\":" + i + "}");
            statuses.add(r.statusCode());
            if (r.statusCode() == 429) {
                limited = r;
            }
        }
        assertTrue(limited != null, "60 requests at once from one caller over a 20/s limit: " + statuses);
        assertEquals("rate_limited", code(limited));
        assertEquals("1", limited.headers().firstValue("Retry-After").orElse(null));
        assertTrue(statuses.subList(0, 20).stream().allMatch(s -> s == 202), "the burst is served: " + statuses);
        assertEquals(202, call("POST", "api/rooms/flood/messages", "X-Switchboard-Key: " + KEY, "{}").statusCode(),
                "another caller is not limited by the flooder");
    }

    @Test
    void theOperationsSurfacesNeedTheOperatorRole() throws Exception {
        String alice = "Authorization: " + basic("alice", ALICE_PASSWORD);
        String ops = "Authorization: " + basic("ops", "ops-password");
        refused(call("GET", "api/stats", null, null), 401, "unauthenticated", "stats, anonymous");
        refused(call("GET", "api/stats", alice, null), 403, "forbidden", "stats, not an operator");
        refused(call("GET", "api/stats", "X-Switchboard-Key: wrong-key-0123456789", null), 401, "unauthenticated", "stats, wrong key");
        assertEquals(200, call("GET", "api/stats", ops, null).statusCode());
        assertEquals(200, call("GET", "api/stats", "X-Switchboard-Key: " + KEY, null).statusCode());

        refused(call("POST", "api/monitor/marks", null, "hello"), 401, "unauthenticated", "marks, anonymous");
        refused(call("POST", "api/monitor/marks", alice, "hello"), 403, "forbidden", "marks, not an operator");
        refused(call("POST", "api/monitor/marks", ops, "m".repeat(5000)), 413, "too_big", "marks, oversized");
        assertEquals(204, call("POST", "api/monitor/marks", ops, "an operator's mark").statusCode());

        assertEquals(401, handshake("ws/monitor", null), "monitor, anonymous");
        assertEquals(403, handshake("ws/monitor", null, "switchboard.v1", "bearer." + bearer("alice", "chat")), "monitor, not an operator");
        assertEquals(401, handshake("ws/monitor", null, "switchboard.v1", "bearer.forged"), "monitor, a bad token");
        assertEquals(101, handshake("ws/monitor", null, "switchboard.v1", "bearer." + bearer("root", "admin")), "monitor, an operator");
    }

    @Test
    void theHandshakeChecksOriginAndListBeforeAnyCredential() throws Exception {
        String good = "bearer." + bearer("erin", "chat");
        assertEquals(101, handshake("ws", null, "switchboard.v1", good));
        List<String> many = new ArrayList<>(List.of("switchboard.v1"));
        for (int i = 0; i < 8; i++) {
            many.add("x-extra-" + i);
        }
        assertEquals(400, handshake("ws", null, many.toArray(String[]::new)), "nine subprotocols offered");
        assertEquals(400, handshake("ws", null, "switchboard.v1", good, "bearer." + bearer("fred", "chat")), "two credentials");
        // a foreign origin is refused as such (403) before the (invalid) credential is looked at (which would be 401)
        assertEquals(403, handshake("ws", "http://evil.example", "switchboard.v1", "bearer.forged"));
        assertEquals(401, handshake("ws", null, "switchboard.v1", "bearer.forged"));
    }

    /**
     * Drives every refusal path with recognisable secrets — a wrong password, a forged token, a valid token, a used
     * ticket, a wrong key, a bad refresh, a message body — then reads the server's whole log from the monitor (every
     * logger, the container's included) up to a mark written last: none of the secrets is in it.
     */
    @Test
    void noCredentialOrMessageBodyReachesTheLogOnAnyPath() throws Exception {
        String operator = bearer("root", "admin");
        try (WsClient monitor = WsClient.raw(Deployments.ws(url).resolve("ws/monitor"), "switchboard.v1", "bearer." + operator)) {
            String wrongPassword = "Wr0ng-pa55word-" + System.nanoTime();
            String forged = AuthIT.token("mallory", List.of("admin"), Instant.now().plusSeconds(300),
                    "another-secret-of-at-least-32-bytes-000000");
            String valid = bearer("frank", "ops");
            String wrongKey = "wrong-key-" + System.nanoTime();
            String body = "secret-body-" + System.nanoTime();

            call("POST", "api/tickets", "Authorization: " + basic("alice", wrongPassword), null);
            call("POST", Quirks.roomApi("staff:ops", "messages"), "Authorization: Bearer " + forged, "{}");
            call("POST", Quirks.roomApi("staff:ops", "messages"), "X-Switchboard-Key: " + wrongKey, "{}");
            handshake("ws", null, "switchboard.v1", "bearer." + forged);
            handshake("ws", "http://evil.example", "switchboard.v1", "bearer." + valid);
            HttpResponse<String> issued = call("POST", "api/tickets", "Authorization: Bearer " + valid, null);
            String ticket = Json.createReader(new StringReader(issued.body())).readObject().getString("ticket");
            assertEquals(101, handshake("ws", null, "switchboard.v1", "ticket." + ticket));
            assertEquals(401, handshake("ws", null, "switchboard.v1", "ticket." + ticket), "a used ticket");
            try (WsClient frank = WsClient.raw(Deployments.ws(url).resolve("ws"), "switchboard.v1", "bearer." + valid)) {
                frank.expect("welcome");
                frank.send(msg("join", "1", "room", "staff:ops")).expect("joined");
                frank.send(msg("publish", "2", "room", "staff:ops", "data", body)).expect("message");
                frank.expect("ack");
                frank.send(msg("refresh", "3", "credential", "bearer." + forged)).expect("error");
                frank.send(msg("publish", "4", "room", "staff:ops", "data", Json.createObjectBuilder().add("x", body).build())).expect("message");
                frank.expect("ack");
                frank.send("{\"type\":\"publish\",\"id\":\"5\",\"room\":\"staff:ops\",\"data\":\"" + body + "\" oops");
                assertEquals("bad_json", frank.expect("error").getString("code"));
            }
            String end = "end-of-doors-" + System.nanoTime();
            assertEquals(204, call("POST", "api/monitor/marks", "Authorization: Bearer " + operator, end).statusCode());
            StringBuilder log = new StringBuilder();
            while (!log.toString().contains(end)) {
                JsonObject frame = monitor.next();
                if ("log".equals(frame.getString("type"))) {
                    log.append(frame.getString("logger", "")).append(' ').append(frame.getString("message")).append('\n');
                }
            }
            String text = log.toString();
            for (String secret : List.of(wrongPassword, ALICE_PASSWORD, forged, signature(forged), valid, signature(valid),
                    ticket, wrongKey, KEY, body, operator, signature(operator))) {
                assertFalse(text.contains(secret), "the log holds a secret (" + secret.substring(0, Math.min(12, secret.length()))
                        + "…):\n" + text);
            }
        }
    }

    private static String signature(String jwt) {
        return jwt.substring(jwt.lastIndexOf('.') + 1);
    }
}
