package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import dev.switchboard.client.Events.Closed;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.test.Await;
import dev.switchboard.test.TestClient;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The operations surfaces, black-box on every server: the health probes ({@code /api/health/live}, {@code /ready}),
 * the Prometheus scrape ({@code /api/metrics}, parsed with the Prometheus project's own Python parser), the admin
 * API ({@code /api/admin/…}) and its page in Chromium — each serving the right caller and refusing the anonymous,
 * the wrong key, the wrong role, the malformed and the flood.
 * This WAR: alice (role chat), ops and flooder (role admin) sign in with passwords; one server key; the API's rate
 * 50/s (burst 50) per caller, and per address for anonymous probes.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OperationsIT {

    static final String OPS_PASSWORD = "ops-Pa55-for-switchboard";
    private static final int API_BURST = 50;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("operations-it", "switchboard.rate.per-second=100000\nswitchboard.rate.burst=100000\n"
                + "switchboard.auth.anonymous-room-classes=*\n"
                + "switchboard.auth.users=alice:alice-Pa55-word:chat,ops:" + OPS_PASSWORD + ":admin,flooder:flood-Pa55-word:admin\n"
                + "switchboard.api.keys=it:" + Deployments.API_KEY + "\n"
                + "switchboard.api.rate.per-second=" + API_BURST + "\nswitchboard.api.rate.burst=" + API_BURST + "\n");
    }

    @ArquillianResource
    URL url;

    private final HttpClient http = Quirks.http();

    private static final String KEY = "X-Switchboard-Key: " + Deployments.API_KEY;
    private static final String OPS = "Authorization: " + basic("ops", OPS_PASSWORD);
    private static final String ALICE = "Authorization: " + basic("alice", "alice-Pa55-word");
    private static final String WRONG_KEY = "X-Switchboard-Key: not-a-key-0123456789";

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The protocol endpoint, for the Java client. */
    private URI endpoint() {
        return Deployments.ws(url).resolve("ws");
    }

    private URI base() {
        return Deployments.base(url);
    }

    /** An HTTP call; {@code auth} is a header line "Name: value", or null. */
    private HttpResponse<String> call(String method, String path, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base().resolve(path)).method(method, HttpRequest.BodyPublishers.noBody());
        if (auth != null) {
            int colon = auth.indexOf(':');
            b.header(auth.substring(0, colon), auth.substring(colon + 1).trim());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(HttpResponse<String> r) {
        return Json.createReader(new StringReader(r.body())).readObject();
    }

    private static void refused(HttpResponse<String> r, int status, String code, String what) {
        assertEquals(status, r.statusCode(), what + ": " + r.body());
        JsonObject error = json(r);
        assertEquals("error", error.getString("type"), what);
        assertEquals(code, error.getString("code"), what);
    }

    /** Polls {@code path} (bounded: 15 s, every 100 ms) until its answer satisfies {@code done}; returns that answer. */
    private HttpResponse<String> awaitAnswer(String what, String path, String auth, Predicate<HttpResponse<String>> done)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = call("GET", path, auth);
            if (done.test(last)) {
                return last;
            }
            TimeUnit.MILLISECONDS.sleep(100); // bounded poll of an HTTP endpoint
        }
        throw new AssertionError(what + " within 15 s; last: " + (last == null ? null : last.statusCode() + " " + last.body()));
    }

    /**
     * Sends {@code count} requests at once (all in flight together: a sequential loop on a slow server would stay
     * under the rate); returns how many were answered 429, each with its code and Retry-After.
     */
    private int flood(String path, String auth, int count) throws Exception {
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(base().resolve(path)).GET();
            if (auth != null) {
                int colon = auth.indexOf(':');
                b.header(auth.substring(0, colon), auth.substring(colon + 1).trim());
            }
            sent.add(http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()));
        }
        int limited = 0;
        for (var answer : sent) {
            HttpResponse<String> r = answer.get(30, TimeUnit.SECONDS);
            if (r.statusCode() == 429) {
                refused(r, 429, "rate_limited", path + " flood");
                assertTrue(r.headers().firstValue("Retry-After").isPresent(), "429 says when to retry");
                limited++;
            } else {
                assertEquals(200, r.statusCode(), path + " flood: every answer is 200 or 429: " + r.body());
            }
        }
        return limited;
    }

    // ------------------------------------------------------------------ health

    @Test
    void theProbesAnswerAnyoneWithStatusOperatorsWithDataAndRefuseWrongKeysAndFloods() throws Exception {
        HttpResponse<String> live = call("GET", "api/health/live", null);
        assertEquals(200, live.statusCode(), live.body());
        JsonObject liveness = json(live);
        assertEquals("UP", liveness.getString("status"));
        assertEquals(List.of("switchboard-writers", "switchboard-sweep"), names(liveness));
        assertFalse(liveness.getJsonArray("checks").getJsonObject(0).containsKey("data"), "anonymous callers see no data");

        HttpResponse<String> ready = call("GET", "api/health/ready", null);
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals(List.of("switchboard-engine"), names(json(ready)), "the one-node engine has no cluster check");
        assertTrue(ready.headers().firstValue("Cache-Control").orElse("").contains("no-store"), "a probe is never cached");

        JsonObject detailed = json(call("GET", "api/health", OPS));
        assertEquals("UP", detailed.getString("status"));
        assertEquals(List.of("switchboard-writers", "switchboard-sweep", "switchboard-engine"), names(detailed));
        JsonObject engine = detailed.getJsonArray("checks").getJsonObject(2).getJsonObject("data");
        assertFalse(engine.getBoolean("draining"));
        assertTrue(engine.containsKey("connections"), "an operator sees each check's data: " + detailed);

        refused(call("GET", "api/health/ready", WRONG_KEY), 401, "unauthenticated", "health, wrong key");
        assertTrue(flood("api/health/live", null, 2 * API_BURST) > 0, "an anonymous flood of the probe is limited per address");
        assertEquals(200, call("GET", "api/health/live", KEY).statusCode(), "a caller with a key is not limited by the flood");
        awaitAnswer("the probe answers the address again once the bucket refills", "api/health/live", null,
                r -> r.statusCode() == 200);
    }

    private static List<String> names(JsonObject health) {
        return health.getJsonArray("checks").getValuesAs(JsonObject.class).stream().map(c -> c.getString("name")).toList();
    }

    @Test
    void aDrainedNodeIsNotReadyRefusesNewSocketsWith503AndKeepsThoseOpen() throws Exception {
        String room = "drain-" + UUID.randomUUID().toString().substring(0, 6);
        try (TestClient member = TestClient.connect(endpoint())) {
            member.join(room);

            refused(call("POST", "api/admin/drain", null), 401, "unauthenticated", "drain, anonymous");
            refused(call("POST", "api/admin/drain", ALICE), 403, "forbidden", "drain, not an administrator");
            HttpResponse<String> drained = call("POST", "api/admin/drain", OPS);
            assertEquals(200, drained.statusCode(), drained.body());
            assertTrue(json(drained).getBoolean("draining"));
            HttpResponse<String> undrained;
            try {
                HttpResponse<String> ready = call("GET", "api/health/ready", null);
                assertEquals(503, ready.statusCode(), "draining: not ready " + ready.body());
                assertEquals("DOWN", json(ready).getString("status"));
                assertEquals(200, call("GET", "api/health/live", KEY).statusCode(), "draining is not dead: still live");

                assertEquals(503, handshake("ws"), "a new socket is refused before the upgrade: try again later, elsewhere");
                assertEquals(503, handshake("ws/rooms/" + room), "on every endpoint");

                HttpResponse<String> published = http.send(Deployments.withKey(HttpRequest.newBuilder(
                        base().resolve("api/rooms/" + room + "/messages"))).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"during\":\"drain\"}")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(202, published.statusCode(), published.body());
                assertEquals("drain", member.awaitMessage(room).data().asJsonObject().getString("during"),
                        "a connection open before the drain is still served");
                assertMetric("switchboard_draining", Map.of(), v -> v == 1.0, "the scrape shows the drain");
            } finally {
                undrained = call("DELETE", "api/admin/drain", OPS); // asserted below: a failure above is the one reported
            }
            assertEquals(200, undrained.statusCode(), "the drain ends: " + undrained.body());
            assertEquals(200, call("GET", "api/health/ready", KEY).statusCode(), "ready again after the drain ends");
            try (TestClient again = TestClient.connect(endpoint())) {
                assertNotNull(again.user(), "sockets are taken again");
            }
        }
    }

    @Test
    void anOperatorsReconnectClosesEveryConnectionWith1012AndTheClientsComeBackAndRecover() throws Exception {
        String room = "reconnect-" + UUID.randomUUID().toString().substring(0, 6);
        try (TestClient member = TestClient.connect(endpoint())) {
            member.join(room);
            refused(call("POST", "api/admin/reconnect", null), 401, "unauthenticated", "reconnect, anonymous");
            refused(call("POST", "api/admin/reconnect", WRONG_KEY), 401, "unauthenticated", "reconnect, wrong key");
            refused(call("POST", "api/admin/reconnect", ALICE), 403, "forbidden", "reconnect, not an administrator");

            HttpResponse<String> reconnected = call("POST", "api/admin/reconnect", OPS);
            assertEquals(200, reconnected.statusCode(), reconnected.body());
            assertTrue(json(reconnected).getInt("closed") >= 1, "at least the member's connection: " + reconnected.body());
            dev.switchboard.client.Events.Closed closed = member.awaitClose();
            assertEquals(1012, closed.code(), "service restart: " + closed);
            assertTrue(closed.willReconnect(), "the client comes back by itself: " + closed);

            // published while the member may still be away: it arrives once, live or recovered with since
            HttpResponse<String> published = http.send(Deployments.withKey(HttpRequest.newBuilder(
                    base().resolve("api/rooms/" + room + "/messages"))).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"after\":\"reconnect\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, published.statusCode(), published.body());
            assertEquals("reconnect", member.awaitMessage(room).data().asJsonObject().getString("after"));
            member.assertNoMessage(room, java.time.Duration.ofMillis(500));
            assertEquals(1, member.received().stream().filter(e -> e instanceof dev.switchboard.client.Events.Closed).count(),
                    "one close, then back for good: " + member.received());
        }
    }

    @Test
    void theContainersMicroProfileHealthCarriesTheEngineChecksWhereItHasOne() throws Exception {
        Assumptions.assumeTrue(Quirks.hasMicroProfileHealth(), Quirks.launch() + " has no MicroProfile Health at its root"
                + " (Quirks.hasMicroProfileHealth): its probes are /api/health/…, tested above");
        URI ready = base().resolve("/health/ready");
        HttpResponse<String> up = http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, up.statusCode(), up.body());
        assertTrue(up.body().replace(" ", "").contains("\"name\":\"switchboard-engine\""), up.body());
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(base().resolve("/health/live")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, live.statusCode(), live.body());
        assertTrue(live.body().contains("switchboard-writers") && live.body().contains("switchboard-sweep"), live.body());
        assertEquals(200, call("POST", "api/admin/drain", OPS).statusCode());
        HttpResponse<String> undrained;
        try {
            HttpResponse<String> down = http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, down.statusCode(), "a drained node is not ready in the container's probe too: " + down.body());
            assertTrue(down.body().replace(" ", "").contains("\"status\":\"DOWN\""), down.body());
        } finally {
            undrained = call("DELETE", "api/admin/drain", OPS); // asserted below: a failure above is the one reported
        }
        assertEquals(200, undrained.statusCode(), "the drain ends: " + undrained.body());
    }

    /** The handshake's status (101: upgraded). */
    private int handshake(String path) throws Exception {
        try {
            http.newWebSocketBuilder().subprotocols("switchboard.v1").buildAsync(Deployments.ws(url).resolve(path),
                    new java.net.http.WebSocket.Listener() { }).get(10, TimeUnit.SECONDS).abort();
            return 101;
        } catch (java.util.concurrent.ExecutionException e) {
            assertTrue(e.getCause() instanceof java.net.http.WebSocketHandshakeException, e.toString());
            return ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    // ------------------------------------------------------------------ metrics

    /** The scrape, parsed by the Prometheus project's own text-format parser (python3-prometheus-client). */
    private JsonArray scrape() throws Exception {
        HttpResponse<String> r = call("GET", "api/metrics", KEY);
        assertEquals(200, r.statusCode(), r.body());
        // containers normalise the media type's spacing (WildFly: text/plain;version=0.0.4;charset=utf-8)
        String type = r.headers().firstValue("Content-Type").orElse("").replace(" ", "");
        assertTrue(type.startsWith("text/plain;") && type.contains("version=0.0.4"), "Prometheus text format 0.0.4: " + type);
        Process parser = new ProcessBuilder("/usr/bin/python3", Path.of("src", "test", "python", "prometheus_parse.py").toString())
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        try (var in = parser.getOutputStream()) {
            in.write(r.body().getBytes(StandardCharsets.UTF_8));
        }
        String parsed = new String(parser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(parser.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(parser.waitFor(30, TimeUnit.SECONDS), "the parser finished");
        assertEquals(0, parser.exitValue(), "the Prometheus parser takes the scrape: " + errors + "\n" + r.body());
        return Json.createReader(new StringReader(parsed)).readArray();
    }

    /** The value of sample {@code name} with {@code labels} (a subset) in {@code families}, or null. */
    private static Double sample(JsonArray families, String name, Map<String, String> labels) {
        for (JsonObject family : families.getValuesAs(JsonObject.class)) {
            for (JsonObject s : family.getJsonArray("samples").getValuesAs(JsonObject.class)) {
                JsonObject l = s.getJsonObject("labels");
                if (s.getString("name").equals(name) && labels.entrySet().stream()
                        .allMatch(e -> l.containsKey(e.getKey()) && l.getString(e.getKey()).equals(e.getValue()))) {
                    return s.getJsonNumber("value").doubleValue();
                }
            }
        }
        return null;
    }

    private static String type(JsonArray families, String family) {
        return families.getValuesAs(JsonObject.class).stream().filter(f -> f.getString("name").equals(family))
                .map(f -> f.getString("type")).findFirst().orElse(null);
    }

    private void assertMetric(String name, Map<String, String> labels, Predicate<Double> expected, String what)
            throws Exception {
        JsonArray families = scrape();
        Double value = sample(families, name, labels);
        assertNotNull(value, what + ": no sample " + name + labels);
        assertTrue(expected.test(value), what + ": " + name + labels + " = " + value);
    }

    @Test
    void theScrapeParsesAsPrometheusTextAndCountsWhatClientsDid() throws Exception {
        String room = "metrics-" + UUID.randomUUID().toString().substring(0, 6);
        JsonArray before = scrape();
        double publicationsBefore = sample(before, "switchboard_publications_total", Map.of());
        try (TestClient member = TestClient.connect(endpoint());
             WsClient plain = WsClient.raw(Deployments.ws(url).resolve("ws/rooms/" + room))) {
            member.join(room);
            for (int i = 1; i <= 3; i++) {
                member.publish(room, i);
            }
            assertEquals("not_joined", Await.errorCode(member.client().publish("not-joined-" + room, null),
                    () -> "a publish to a room not joined"));

            JsonArray after = scrape();
            assertEquals("counter", type(after, "switchboard_publications"));
            assertEquals("gauge", type(after, "switchboard_connections"));
            assertEquals("histogram", type(after, "switchboard_send_duration_seconds"));
            assertEquals("histogram", type(after, "switchboard_fanout_duration_seconds"));
            assertTrue(sample(after, "switchboard_publications_total", Map.of()) >= publicationsBefore + 3, "publications");
            assertTrue(sample(after, "switchboard_connections", Map.of("endpoint", "ws")) >= 1, "/ws connections");
            assertTrue(sample(after, "switchboard_connections", Map.of("endpoint", "room")) >= 1, "plain room connections");
            assertEquals(0.0, sample(after, "switchboard_connections", Map.of("endpoint", "monitor")), "no monitor open");
            assertTrue(sample(after, "switchboard_acks_total", Map.of()) >= 3, "acks");
            assertTrue(sample(after, "switchboard_errors_total", Map.of("code", "not_joined")) >= 1, "errors by code");
            assertTrue(sample(after, "switchboard_messages_received_total", Map.of()) >= 5, "messages in");
            assertTrue(sample(after, "switchboard_messages_sent_total", Map.of()) >= 6, "messages out");
            assertTrue(sample(after, "switchboard_rooms", Map.of()) >= 1, "rooms");
            assertTrue(sample(after, "switchboard_history_bytes", Map.of()) > 0, "history held");
            assertTrue(sample(after, "switchboard_fanout_duration_seconds_count", Map.of()) >= 3, "each fan-out timed");
            assertEquals(sample(after, "switchboard_fanout_duration_seconds_count", Map.of()),
                    sample(after, "switchboard_fanout_duration_seconds_bucket", Map.of("le", "+Inf")), "+Inf bucket = count");
            assertTrue(sample(after, "switchboard_send_duration_seconds_count", Map.of()) >= 6, "each send timed");
            assertEquals(1.0, sample(after, "switchboard_cluster_reachable", Map.of("engine", "memory")), "one node: reachable");
            assertEquals(1.0, sample(after, "switchboard_cluster_nodes", Map.of()));
            assertEquals(0.0, sample(after, "switchboard_draining", Map.of()));
            for (String family : List.of("switchboard_slow_consumer_closes", "switchboard_heartbeat_closes",
                    "switchboard_publications_dropped", "switchboard_queued_messages", "switchboard_queued_bytes",
                    "switchboard_history_evicted", "switchboard_queue_budget_refusals")) {
                assertNotNull(type(after, family), "the scrape has " + family);
            }
        }
    }

    @Test
    void theScrapeRefusesTheAnonymousTheWrongKeyTheWrongRoleAndTheFlood() throws Exception {
        refused(call("GET", "api/metrics", null), 401, "unauthenticated", "metrics, anonymous");
        refused(call("GET", "api/metrics", WRONG_KEY), 401, "unauthenticated", "metrics, wrong key");
        refused(call("GET", "api/metrics", ALICE), 403, "forbidden", "metrics, not an operator");
        // refused credentials are answered by the authentication mechanism, before the API: a 401 with the container's body
        assertEquals(401, call("GET", "api/metrics", "Authorization: " + basic("ops", "wrong-password")).statusCode(),
                "metrics, wrong password");
        String flooder = "Authorization: " + basic("flooder", "flood-Pa55-word");
        assertTrue(flood("api/metrics", flooder, 2 * API_BURST) > 0, "a flood of scrapes is limited");
        assertEquals(200, call("GET", "api/metrics", KEY).statusCode(), "another caller is not limited by the flooder");
    }

    // ------------------------------------------------------------------ admin API

    @Test
    void theAdminApiShowsRoomsAndUsersAndRemovesMembersAndClosesRooms() throws Exception {
        String room = "admin-" + UUID.randomUUID().toString().substring(0, 6);
        String other = room + "-b";
        try (TestClient a = TestClient.connect(endpoint()); TestClient b = TestClient.connect(endpoint());
             WsClient plain = WsClient.raw(Deployments.ws(url).resolve("ws/rooms/" + other))) {
            a.join(room);
            b.join(room);
            b.join(other);
            for (int i = 1; i <= 2; i++) {
                a.publish(room, "message " + i);
            }

            JsonObject rooms = json(call("GET", "api/admin/rooms", OPS));
            assertFalse(rooms.getString("node").isEmpty());
            JsonObject view = rooms.getJsonArray("rooms").getValuesAs(JsonObject.class).stream()
                    .filter(r -> r.getString("room").equals(room)).findFirst().orElseThrow(() -> new AssertionError(rooms.toString()));
            assertEquals(2, view.getInt("connections"));
            assertEquals(2, view.getJsonNumber("offset").longValue());
            assertEquals(2, view.getInt("historyMessages"));
            assertTrue(view.getJsonNumber("historyBytes").longValue() > 0);
            assertFalse(view.getString("epoch").isEmpty());
            assertEquals("disconnect", view.getString("slowConsumer"));
            assertEquals(List.of(a.user(), b.user()).stream().sorted().toList(), view.getJsonArray("members")
                    .getValuesAs(JsonObject.class).stream().map(m -> m.getString("user")).sorted().toList());

            JsonObject user = json(call("GET", "api/admin/connections?user=" + enc(b.user()), KEY));
            assertEquals(1, user.getJsonArray("connections").size());
            JsonObject connection = user.getJsonArray("connections").getJsonObject(0);
            assertEquals(user.getString("node"), connection.getString("node"));
            assertEquals("/ws", connection.getString("endpoint"));
            assertEquals(List.of(room, other).stream().sorted().toList(), connection.getJsonArray("rooms")
                    .getValuesAs(jakarta.json.JsonString.class).stream().map(jakarta.json.JsonString::getString).toList());
            assertEquals("ok", connection.getString("state"));
            assertTrue(connection.getInt("queueLimit") > 0);
            assertEquals(1, user.getJsonObject("byNode").getInt(user.getString("node")));

            // remove one member: it is told with left (no re), which the client reports as a removal; the other stays
            HttpResponse<String> removed = call("DELETE", "api/admin/room/members?room=" + enc(room) + "&user=" + enc(b.user()), OPS);
            assertEquals(200, removed.statusCode(), removed.body());
            assertEquals(1, json(removed).getInt("removedHere"));
            assertEquals(room, b.awaitRemoved().room());
            a.publish(room, "after");
            assertEquals(1, json(call("GET", "api/admin/room?room=" + enc(room), OPS)).getInt("connections"));

            // close the other room: the /ws member gets left, the plain socket is closed with 4403
            HttpResponse<String> closed = call("DELETE", "api/admin/room?room=" + enc(other), KEY);
            assertEquals(200, closed.statusCode(), closed.body());
            assertEquals(other, b.awaitRemoved().room());
            assertEquals(4403, plain.awaitClose().code(), "a plain room socket has no room left: closed");
            awaitAnswer("the closed room has no member left", "api/admin/room?room=" + enc(other), OPS,
                    r -> r.statusCode() == 200 && json(r).getInt("connections") == 0);
            assertEquals(SwitchboardClient.State.OPEN, b.client().state(), "removal from rooms leaves the connection open");
            assertEquals(List.of(), b.received().stream().filter(Closed.class::isInstance).toList(), "never closed");
        }
    }

    @Test
    void theAdminApiRefusesTheAnonymousTheWrongKeyTheWrongRoleBadNamesAndTheFlood() throws Exception {
        for (String path : List.of("api/admin/rooms", "api/admin/connections?user=alice", "api/admin/room?room=lobby")) {
            refused(call("GET", path, null), 401, "unauthenticated", path + ", anonymous");
            refused(call("GET", path, WRONG_KEY), 401, "unauthenticated", path + ", wrong key");
            refused(call("GET", path, ALICE), 403, "forbidden", path + ", not an administrator");
        }
        refused(call("DELETE", "api/admin/room?room=lobby", ALICE), 403, "forbidden", "close, not an administrator");
        refused(call("DELETE", "api/admin/room/members?room=lobby&user=bob", null), 401, "unauthenticated", "remove, anonymous");
        refused(call("DELETE", "api/admin/room?room=" + enc("no spaces here"), OPS), 400, "invalid", "close, not a room name");
        refused(call("DELETE", "api/admin/room", OPS), 400, "invalid", "close, no room");
        refused(call("GET", "api/admin/room?room=" + "r".repeat(300), OPS), 400, "invalid", "room, oversized name");
        refused(call("GET", "api/admin/connections?user=" + "u".repeat(300), OPS), 400, "invalid", "user, oversized name");
        refused(call("GET", "api/admin/connections", OPS), 400, "invalid", "connections, no user");
        refused(call("GET", "api/admin/room?room=nobody-here-" + UUID.randomUUID().toString().substring(0, 6), OPS), 404,
                "invalid", "room, unknown");
        String flooder = "Authorization: " + basic("flooder", "flood-Pa55-word");
        assertTrue(flood("api/admin/rooms", flooder, 2 * API_BURST) > 0, "a flood of the admin API is limited");
        assertEquals(200, call("GET", "api/admin/rooms", KEY).statusCode(), "another caller is not limited by the flooder");
    }

    // ------------------------------------------------------------------ the admin page

    @Test
    void theAdminPageSignsInAnAdministratorShowsRoomsAndRemovesAMember() throws Exception {
        String room = "page-" + UUID.randomUUID().toString().substring(0, 6);
        try (TestClient member = TestClient.connect(endpoint()); Browser b = new Browser()) {
            member.join(room);
            member.publish(room, "hello");

            b.open(base().resolve("admin.html").toString());
            b.until("the sign-in card is shown", d -> b.find("#signin").isDisplayed());
            b.find("#signinName").sendKeys("alice");
            b.find("#signinPassword").sendKeys("alice-Pa55-word");
            b.find("#signinGo").click();
            b.until("a user without the role is told so", d -> b.find("#signinError").getText().contains("not an administrator"));
            b.find("#signinName").clear();
            b.find("#signinName").sendKeys("ops");
            b.find("#signinPassword").clear();
            b.find("#signinPassword").sendKeys(OPS_PASSWORD);
            b.find("#signinGo").click();

            String row = "#rooms tr[data-room='" + room + "']";
            b.until("the room is listed with its member", d -> !b.all(row + " .member[data-user='" + member.user() + "']").isEmpty());
            List<String> cells = b.all(row + " td").stream().map(WebElement::getText).toList();
            assertEquals("1", cells.get(1), "connections: " + cells);
            assertEquals("1", cells.get(4), "offset: " + cells);
            assertTrue(cells.get(5).startsWith("1 ·"), "history: " + cells);
            assertEquals("ready", b.find("#ready").getText());

            b.find("#user").sendKeys(member.user());
            b.find("#lookup button[type=submit]").click();
            b.until("the user's connection is shown", d -> !b.all("#connections tbody tr").isEmpty());
            assertTrue(b.find("#connections tbody").getText().contains(room), "its rooms are shown");
            b.screenshot("admin");

            b.find(row + " .member[data-user='" + member.user() + "'] button").click();
            assertEquals(room, member.awaitRemoved().room(), "the member is removed from the page");
            b.until("the page no longer lists the member", d -> b.all(row + " .member").isEmpty());

            b.find("#disconnect").click();
            assertEquals(1008, member.awaitClose().code(), "disconnect everywhere closes the user's sockets");
            b.until("the page says so", d -> b.find("#notice").getText().contains("disconnected"));
            assertTrue(b.driver.findElements(By.cssSelector("#rooms script, #rooms img")).isEmpty(), "names are text");
        }
    }

    /** The chat page, removed from its room by an administrator: it says so and stops sending; its connection stays. */
    @Test
    void aChatPageRemovedByAnAdministratorSaysSoAndStopsSending() throws Exception {
        String room = "removed-" + UUID.randomUUID().toString().substring(0, 6);
        try (Browser b = new Browser()) {
            b.open(base().resolve("chat.html").toString());
            b.find("#name").sendKeys("Dora");
            b.find("#room").clear();
            b.find("#room").sendKeys(room);
            b.find("#enter").click();
            b.until("the page is connected", d -> "open".equals(b.find("#state").getText()));
            HttpResponse<String> inRoom = awaitAnswer("the page is a member", "api/admin/room?room=" + enc(room), KEY,
                    r -> r.statusCode() == 200 && json(r).getInt("connections") == 1);
            String user = json(inRoom).getJsonArray("members").getJsonObject(0).getString("user");

            assertEquals(200, call("DELETE", "api/admin/room/members?room=" + enc(room) + "&user=" + enc(user), OPS).statusCode());
            b.until("the page says it was removed", d -> b.find("#messages").getText().contains("removed you from this room"));
            assertFalse(b.find("#send").isEnabled(), "the composer is disabled");
            assertTrue(b.all("#people li").isEmpty(), "the people list is cleared");
            assertEquals("open", b.find("#state").getText(), "the connection itself stays open");
            b.screenshot("chat-removed");
        }
    }
}
