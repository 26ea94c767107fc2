package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.JsonString;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two nodes on one Redis act as one room space: Payara Micro (node A) and WildFly (node B) side by side, each a
 * separate server process with the built WAR and {@code SWITCHBOARD_REDIS_URL}, and a real redis-server. Every
 * message is counted: publish on A, receive on B; recover on B what was published on A; Redis stopped for 10 s;
 * node A killed with SIGKILL (B's application told once whom A held).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration OUTBOX_GRACE = Duration.ofSeconds(1);
    private static ClusterNodes.Redis redis;
    private static TcpProxy redisLink;
    private static ClusterNodes.Node payara;
    private static ClusterNodes.Node wildfly;
    /** The nodes' shared database: an H2 TCP server here, the nodes' default datasource (the durable outbox's). */
    private static org.h2.tools.Server database;
    /** Held open: an in-memory database lives while a connection to it does. */
    private static java.sql.Connection databaseHeld;
    private static String databaseUrl;
    /** The built WAR with a user's order desk ({@link dev.switchboard.it.userapp.DurableOrders}). */
    private static java.nio.file.Path ordersWar;
    private static Map<String, String> settings;

    @BeforeAll
    static void start() throws Exception {
        redis = new ClusterNodes.Redis().start();
        database = org.h2.tools.Server.createTcpServer("-tcpPort", Integer.toString(ClusterNodes.freePort()),
                "-ifNotExists").start();
        databaseUrl = "jdbc:h2:tcp://127.0.0.1:" + database.getPort() + "/mem:cluster";
        databaseHeld = java.sql.DriverManager.getConnection(databaseUrl);
        java.nio.file.Files.createDirectories(ClusterNodes.DIR);
        ordersWar = ClusterNodes.DIR.resolve("orders.war");
        org.jboss.shrinkwrap.api.ShrinkWrap.createFromZipFile(org.jboss.shrinkwrap.api.spec.WebArchive.class,
                        ClusterNodes.war().toFile())
                .addClass(dev.switchboard.it.userapp.DurableOrders.class)
                .as(org.jboss.shrinkwrap.api.exporter.ZipExporter.class).exportTo(ordersWar.toFile(), true);
        settings = Map.ofEntries(Map.entry("SWITCHBOARD_OUTBOX_DATASOURCE", "java:comp/DefaultDataSource"),
                Map.entry("SWITCHBOARD_OUTBOX_GRACE_MS", Long.toString(OUTBOX_GRACE.toMillis())),
                Map.entry("SWITCHBOARD_OUTBOX_POLL_MS", "250"), Map.entry(
                "SWITCHBOARD_REDIS_URL", redis.url()),
                Map.entry("SWITCHBOARD_REDIS_HEARTBEAT_MS", "500"),
                Map.entry("SWITCHBOARD_REDIS_NODE_TIMEOUT_MS", Long.toString(NODE_TIMEOUT.toMillis())),
                Map.entry("SWITCHBOARD_RATE_PER_SECOND", "100000"),
                Map.entry("SWITCHBOARD_RATE_BURST", "100000"),
                Map.entry("SWITCHBOARD_AUTH_ANONYMOUS_DIRECT", "true"),
                Map.entry("SWITCHBOARD_API_KEYS", "it:" + Deployments.API_KEY),
                Map.entry("SWITCHBOARD_AUTH_JWT_SECRET", AuthIT.SECRET),
                Map.entry("SWITCHBOARD_AUTH_USERS", "alice:wonderland:chat"),
                Map.entry("SWITCHBOARD_HEARTBEAT_MS", "2000"));
        // node A reaches Redis through a proxy the partition test cuts; B directly
        redisLink = new TcpProxy("127.0.0.1", redis.port());
        Map<String, String> viaLink = new java.util.HashMap<>(settings);
        viaLink.put("SWITCHBOARD_REDIS_URL", "redis://127.0.0.1:" + redisLink.port());
        payara = ClusterNodes.Node.payara("payara", viaLink, ordersWar, databaseUrl).start();
        wildfly = ClusterNodes.Node.wildfly("wildfly", settings, ordersWar, databaseUrl).start();
        payara.awaitReady();
        wildfly.awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        for (ClusterNodes.Node node : new ClusterNodes.Node[] {payara, wildfly}) {
            if (node != null) {
                node.kill();
            }
        }
        if (redis != null) {
            redis.kill();
        }
        if (redisLink != null) {
            redisLink.close();
        }
        if (databaseHeld != null) {
            databaseHeld.close();
        }
        if (database != null) {
            database.stop();
        }
    }

    @Test
    @Order(1)
    void aPublicationOnOneNodeReachesEveryMemberOnTheOther() throws Exception {
        try (WsClient a = WsClient.connect(payara.ws()); WsClient b = WsClient.connect(wildfly.ws());
             WsClient publisher = WsClient.connect(payara.ws())) {
            join(a, "fanout", null);
            JsonObject joinedB = join(b, "fanout", null);
            assertTrue(joinedB.getJsonArray("presence").toString().contains("\"" + a.user + "\""),
                    "who joined on the other node is in joined.presence at once: " + joinedB);
            join(publisher, "fanout", null);
            JsonObject diff = a.awaitPresence(b.user, true); // presence spans nodes
            assertTrue(diff.getJsonArray("joins").getValuesAs(JsonString::getString).contains(b.user));

            for (int i = 1; i <= 50; i++) {
                publisher.send(msg("publish", "p" + i, "room", "fanout", "data", Json.createValue(i)));
                assertEquals(i, publisher.skipTo("ack").getInt("offset"), "offsets assigned by the cluster, one by one");
            }
            List<Integer> onB = values(b, 50);
            List<Integer> onA = values(a, 50);
            List<Integer> expected = new ArrayList<>();
            for (int i = 1; i <= 50; i++) {
                expected.add(i);
            }
            assertEquals(expected, onB, "every publication on A reached B once, in order");
            assertEquals(expected, onA, "and the publisher's own node delivered it too");

            b.send(msg("presence", "q", "room", "fanout"));
            JsonObject presence = b.expect("presence");
            assertTrue(presence.toString().contains("\"" + a.user + "\""), "B sees A's user: " + presence);

            b.send(msg("send", "d1", "to", a.user, "data", "hello from B"));
            assertEquals("d1", b.expect("ack").getString("re"));
            JsonObject direct = a.skipTo("direct");
            assertEquals("hello from B", direct.getString("data"), "a direct message crosses nodes");
            assertEquals(b.user, direct.getString("from"));
        }
    }

    @Test
    @Order(2)
    void aClientRecoversOnAnotherNodeWhatWasPublishedOnTheFirst() throws Exception {
        String epoch;
        long offset;
        try (WsClient away = WsClient.connect(payara.ws())) {
            JsonObject joined = join(away, "recovery", null);
            epoch = joined.getString("epoch");
            offset = joined.getJsonNumber("offset").longValue();
        }
        try (WsClient publisher = WsClient.connect(payara.ws())) {
            join(publisher, "recovery", null);
            for (int i = 1; i <= 20; i++) {
                publisher.send(msg("publish", "p" + i, "room", "recovery", "data", Json.createValue(i)));
                publisher.skipTo("ack");
            }
        }
        try (WsClient back = WsClient.connect(wildfly.ws())) {
            JsonObject joined = join(back, "recovery", since(epoch, offset));
            assertTrue(joined.getBoolean("recovered"), "recovered on the other node: " + joined);
            List<Integer> missed = values(back, 20);
            for (int i = 0; i < 20; i++) {
                assertEquals(i + 1, missed.get(i), "exactly what was missed, in order: " + missed);
            }
            back.send(msg("ping", "after"));
            assertEquals("after", back.expect("pong").getString("re"), "and nothing more (no duplicate)");
        }
    }

    /**
     * History and rewind cross nodes: what was published on Payara is paged on WildFly, which never had the room (the
     * shared log answers), and a join on WildFly with {@code rewind} gets the latest from it, then live ones, once;
     * WildFly counts the room's occupancy from what Payara recorded; tags set on Payara select on WildFly (a member's
     * filter, a filtered history).
     */
    @Test
    @Order(2)
    void historyAndRewindOnOneNodeServeWhatWasPublishedOnTheOther() throws Exception {
        try (WsClient publisher = WsClient.connect(payara.ws())) {
            join(publisher, "archive", null);
            for (int i = 1; i <= 12; i++) {
                publisher.send(msg("publish", "p" + i, "room", "archive", "data", Json.createValue(i)));
                publisher.skipTo("ack");
            }
            try (WsClient reader = WsClient.connect(wildfly.ws()); WsClient late = WsClient.connect(wildfly.ws())) {
                JsonObject page = reader.send(msg("history", "h", "room", "archive", "limit", 4, "reverse", JsonValue.TRUE))
                        .skipTo("history");
                List<Integer> newest = page.getJsonArray("publications").stream()
                        .map(p -> p.asJsonObject().getInt("data")).toList();
                assertEquals(List.of(12, 11, 10, 9), newest, "the newest four, read on the other node: " + page);
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                JsonObject counts;
                do { // the publisher's presence is recorded in Redis without waiting: bounded poll
                    counts = reader.send(msg("occupancy", "o", "room", "archive")).skipTo("occupancy");
                } while (counts.getInt("users") == 0 && System.nanoTime() < until);
                assertEquals(1, counts.getInt("users"), "WildFly counts the publisher on Payara: " + counts);
                late.send(Json.createObjectBuilder(msg("join", "j", "room", "archive")).add("rewind", 3).build());
                assertEquals(12, late.skipTo("joined").getInt("offset"));
                assertEquals(List.of(10, 11, 12), values(late, 3), "the latest three from the shared log, in order");
                publisher.send(msg("publish", "p13", "room", "archive", "data", Json.createValue(13)));
                assertEquals(List.of(13), values(late, 1), "then the live one, once");
                // tag filters across nodes: tagged on Payara, selected on WildFly, live and in the shared log's history
                late.send(Json.createObjectBuilder(msg("join", "j2", "room", "archive")).add("filter",
                        Json.createObjectBuilder().add("kind", "odd")).build()).skipTo("joined");
                for (int i = 14; i <= 16; i++) {
                    publisher.send(Json.createObjectBuilder(msg("publish", "p" + i, "room", "archive", "data", Json.createValue(i)))
                            .add("tags", Json.createObjectBuilder().add("kind", i % 2 == 0 ? "even" : "odd")).build());
                    publisher.skipTo("ack");
                }
                publisher.send(msg("publish", "p17", "room", "archive", "data", Json.createValue(17))); // no tags
                publisher.skipTo("ack");
                publisher.send(Json.createObjectBuilder(msg("publish", "p18", "room", "archive", "data", Json.createValue(18)))
                        .add("tags", Json.createObjectBuilder().add("kind", "odd")).build());
                assertEquals(List.of(15, 18), values(late, 2), "joined again with a filter: only the odd-tagged ones");
                JsonObject even = reader.send(Json.createObjectBuilder(msg("history", "h2", "room", "archive"))
                        .add("filter", Json.createObjectBuilder().add("kind", "even")).build()).skipTo("history");
                assertEquals(List.of(14, 16), even.getJsonArray("publications").stream()
                        .map(p -> p.asJsonObject().getInt("data")).toList(), "the shared log's history, filtered: " + even);
            }
        }
    }

    /**
     * Sessions span the cluster: a logout on one node closes the user's sockets on the other within a second, and the
     * token is then refused (401) on both; a token of the same user issued after the logout still works.
     */
    @Test
    @Order(3)
    void aLogoutOnOneNodeClosesTheUsersSocketsOnTheOtherAndItsTokenIsRefusedThere() throws Exception {
        String token = AuthIT.token("lena", List.of("chat"), java.time.Instant.now().plusSeconds(300), AuthIT.SECRET);
        try (WsClient onWildfly = WsClient.raw(wildfly.ws().resolve("ws"), "switchboard.v1", "bearer." + token)) {
            assertEquals("lena", onWildfly.expect("welcome").getString("user"));
            HttpResponse<String> out = Quirks.http().send(HttpRequest.newBuilder(payara.base().resolve("api/logout"))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, out.statusCode(), out.body());
            long loggedOut = System.nanoTime();
            WsClient.Close close = onWildfly.awaitClose();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loggedOut);
            assertEquals(1008, close.code(), close.toString());
            assertTrue(tookMillis <= 1000, "closed on the other node within 1 s: " + tookMillis + " ms");
        }
        assertEquals(401, handshakeStatus(wildfly, "bearer." + token), "the token is refused on the other node");
        assertEquals(401, handshakeStatus(payara, "bearer." + token), "and on the node that logged out");
    }

    /**
     * The admin API across nodes: a user's connections are counted on each node, a removal asked of one node removes
     * the user from the room on the other too, and each node's scrape carries the cluster's and Redis's metrics.
     */
    @Test
    @Order(3)
    void anAdministratorSeesAUsersConnectionsOnEveryNodeAndRemovesThemFromARoomEverywhere() throws Exception {
        String token = AuthIT.token("mira", List.of("chat"), java.time.Instant.now().plusSeconds(300), AuthIT.SECRET);
        try (WsClient onPayara = WsClient.raw(payara.ws().resolve("ws"), "switchboard.v1", "bearer." + token);
             WsClient onWildfly = WsClient.raw(wildfly.ws().resolve("ws"), "switchboard.v1", "bearer." + token);
             WsClient other = WsClient.connect(wildfly.ws())) {
            onPayara.expect("welcome");
            onWildfly.expect("welcome");
            for (WsClient c : List.of(onPayara, onWildfly, other)) {
                join(c, "admin-x", null);
            }
            HttpClient http = Quirks.http();
            String connections = awaitBody(http, payara, "api/admin/connections?user=mira",
                    body -> body.contains("\"byNode\"") && Json.createReader(new java.io.StringReader(body)).readObject()
                            .getJsonObject("byNode").size() == 2);
            JsonObject view = Json.createReader(new java.io.StringReader(connections)).readObject();
            List<JsonObject> both = view.getJsonArray("connections").getValuesAs(JsonObject.class);
            assertEquals(2, both.size(), "both nodes' connections in detail: " + view);
            assertEquals(2, both.stream().map(c -> c.getString("node")).distinct().count(), "one on each node: " + view);
            assertTrue(both.stream().allMatch(c -> c.getJsonArray("rooms").toString().contains("admin-x")
                    && c.getString("state").equals("ok") && c.getInt("queueLimit") > 0), "rooms, queue and state: " + view);
            assertEquals(0, view.getJsonArray("unanswered").size(), view.toString());
            assertTrue(view.getJsonObject("byNode").values().stream().allMatch(n -> ((jakarta.json.JsonNumber) n).intValue() == 1),
                    "one connection on each node: " + view);

            HttpResponse<String> removed = http.send(Deployments.withKey(HttpRequest.newBuilder(
                    payara.base().resolve("api/admin/room/members?room=admin-x&user=mira"))).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, removed.statusCode(), removed.body());
            assertEquals("admin-x", onPayara.skipTo("left").getString("room"));
            assertEquals("admin-x", onWildfly.skipTo("left").getString("room"), "removed on the other node too");
            other.send(msg("publish", "after", "room", "admin-x", "data", Json.createValue(1)));
            assertEquals("after", other.skipTo("ack").getString("re"), "the other member stays");

            for (ClusterNodes.Node node : List.of(payara, wildfly)) {
                String scrape = http.send(Deployments.withKey(HttpRequest.newBuilder(node.base().resolve("api/metrics")))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(scrape.contains("switchboard_cluster_nodes 2.0"), node.name + ": two nodes: " + scrape);
                assertTrue(scrape.contains("switchboard_cluster_reachable{engine=\"redis\""), node.name);
                assertTrue(scrape.contains("switchboard_redis_command_duration_seconds_count"), node.name + ": Redis latency");
                assertTrue(scrape.contains("switchboard_redis_command_failures_total{mode=\"blocking\"}"), node.name);
            }
        }
    }

    /** Polls {@code path} on {@code node} with the key (bounded: 20 s) until its body satisfies {@code done}. */
    private static String awaitBody(HttpClient http, ClusterNodes.Node node, String path,
                                    java.util.function.Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(Deployments.withKey(HttpRequest.newBuilder(node.base().resolve(path)))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200 && done.test(r.body())) {
                return r.body();
            }
            TimeUnit.MILLISECONDS.sleep(100); // bounded poll of an HTTP endpoint
        }
        throw new AssertionError(node.name + ": " + path + " never answered as expected within 20 s; last: " + last);
    }

    /** A ticket issued by one node is redeemed on the other, once across the cluster. */
    @Test
    @Order(4)
    void aTicketIssuedOnOneNodeIsRedeemedOnceOnAny() throws Exception {
        HttpResponse<String> issued = Quirks.http().send(HttpRequest.newBuilder(payara.base().resolve("api/tickets"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        "alice:wonderland".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, issued.statusCode(), issued.body());
        String ticket = Json.createReader(new java.io.StringReader(issued.body())).readObject().getString("ticket");
        try (WsClient alice = WsClient.raw(wildfly.ws().resolve("ws"), "switchboard.v1", "ticket." + ticket)) {
            assertEquals("alice", alice.expect("welcome").getString("user"), "redeemed on the other node");
        }
        assertEquals(401, handshakeStatus(wildfly, "ticket." + ticket), "once");
        assertEquals(401, handshakeStatus(payara, "ticket." + ticket), "once across the cluster");
    }

    /** A keyed publish sent on one node and retried on the other (a client that reconnected elsewhere) lands once. */
    @Test
    @Order(5)
    void aKeyedPublishRetriedOnTheOtherNodeLandsOnce() throws Exception {
        try (WsClient member = WsClient.connect(wildfly.ws())) {
            join(member, "keyed", null);
            long first;
            try (WsClient onPayara = WsClient.connect(payara.ws())) {
                join(onPayara, "keyed", null);
                onPayara.send(msg("publish", "1", "room", "keyed", "data", "once", "key", "k-cluster-1"));
                first = onPayara.skipTo("ack").getJsonNumber("offset").longValue();
            }
            try (WsClient onWildfly = WsClient.connect(wildfly.ws())) {
                join(onWildfly, "keyed", null);
                onWildfly.send(msg("publish", "1", "room", "keyed", "data", "once", "key", "k-cluster-1"));
                assertEquals(first, onWildfly.skipTo("ack").getJsonNumber("offset").longValue(),
                        "the retry on the other node is acked with the first offset");
                onWildfly.send(msg("publish", "2", "room", "keyed", "data", "next"));
                assertEquals(first + 1, onWildfly.skipTo("ack").getJsonNumber("offset").longValue(), "and published nothing");
            }
            assertEquals("once", member.skipTo("message").getString("data"));
            assertEquals("next", member.skipTo("message").getString("data"), "delivered once");
        }
    }

    /**
     * Redis hung (SIGSTOP) for 10 s, its sockets open, then resumed: every publish is answered within 2 s (a command
     * waits at most the store's timeout, 1 s, then the node goes on alone), local delivery goes on, a new client
     * connects and round-trips within 2 s, and afterwards the other node's member is told to resynchronize — no
     * silent gap — and the room works across nodes again.
     */
    @Test
    @Order(6)
    void redisHungForTenSecondsPublishersAreAnsweredWithinTheBoundAndNoGapIsSilent() throws Exception {
        try (WsClient a = WsClient.connect(payara.ws()); WsClient b = WsClient.connect(wildfly.ws());
             WsClient pubA = WsClient.connect(payara.ws())) {
            join(a, "hung", null);
            join(b, "hung", null);
            join(pubA, "hung", null);
            pubA.send(msg("publish", "p1", "room", "hung", "data", Json.createValue(1)));
            pubA.skipTo("ack");
            assertEquals(List.of(1), values(b, 1));
            assertEquals(List.of(1), values(a, 1));

            long hung = System.nanoTime();
            redis.signal("STOP");
            try {
                for (int i = 2; i <= 4; i++) {
                    long sent = System.nanoTime();
                    pubA.send(msg("publish", "p" + i, "room", "hung", "data", Json.createValue(i)));
                    assertEquals("p" + i, pubA.skipTo("ack").getString("re"));
                    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                    assertTrue(took <= 2_000, "a publish while Redis hangs is answered within 2 s: " + took + " ms");
                }
                assertEquals(List.of(2, 3, 4), values(a, 3), "delivered on the node where it was published");
                long connecting = System.nanoTime();
                try (WsClient newcomer = WsClient.connect(payara.ws())) {
                    assertEquals("rt", newcomer.send(msg("ping", "rt")).skipTo("pong").getString("re"));
                    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connecting);
                    assertTrue(took <= 2_000, "a handshake and a round trip while Redis hangs: " + took + " ms");
                }
                // the hang lasts 10 s (a scenario length, not a synchronisation)
                long rest = TimeUnit.SECONDS.toNanos(10) - (System.nanoTime() - hung);
                if (rest > 0) {
                    TimeUnit.NANOSECONDS.sleep(rest);
                }
            } finally {
                redis.signal("CONT");
            }
            awaitStats(payara, "\"clusterReachable\":true");
            awaitStats(wildfly, "\"clusterReachable\":true");
            JsonObject resyncB = b.skipTo("joined");
            assertFalse(resyncB.getBoolean("recovered"), "B never saw 2..4: it is told to resynchronize: " + resyncB);
            pubA.send(msg("publish", "p5", "room", "hung", "data", Json.createValue(5)));
            long offset = pubA.skipTo("ack").getJsonNumber("offset").longValue();
            // B may be told more than once (its own resynchronization, then A's reset of the log): it follows the
            // epoch of the latest joined, and the next message continues it
            JsonObject onB;
            while (true) {
                JsonObject frame = b.next();
                if ("joined".equals(frame.getString("type"))) {
                    assertFalse(frame.getBoolean("recovered"));
                    resyncB = frame;
                } else if ("message".equals(frame.getString("type"))) {
                    onB = frame;
                    break;
                }
            }
            assertEquals(5, onB.getInt("data"), "the room works across nodes again, with nothing unannounced before it");
            assertEquals(resyncB.getString("epoch"), onB.getString("epoch"), "in the epoch B was last told");
            assertEquals(offset, onB.getJsonNumber("offset").longValue());
        }
    }

    /**
     * A slow Redis, as seen from node A (Payara): every byte between A and Redis arrives 150 ms late, each way (B is
     * direct). A's publishes are answered within 2 s; every publication, from either node, reaches every member on
     * both, once, in offset order, with no gap and no reset.
     */
    @Test
    @Order(7)
    void aSlowRedisLinkSlowsPublishesWithinTheBoundAndLosesNothing() throws Exception {
        try (WsClient a = WsClient.connect(payara.ws()); WsClient b = WsClient.connect(wildfly.ws());
             WsClient pubA = WsClient.connect(payara.ws()); WsClient pubB = WsClient.connect(wildfly.ws())) {
            join(a, "sluggish", null);
            join(b, "sluggish", null);
            join(pubA, "sluggish", null);
            join(pubB, "sluggish", null);
            redisLink.delay(150);
            List<JsonObject> seenA = new ArrayList<>();
            List<JsonObject> seenB = new ArrayList<>();
            try {
                long worst = 0;
                for (int i = 1; i <= 10; i++) {
                    WsClient publisher = i % 2 == 1 ? pubA : pubB;
                    long sent = System.nanoTime();
                    publisher.send(msg("publish", "s" + i, "room", "sluggish", "data", Json.createValue(i)));
                    assertEquals("s" + i, publisher.skipTo("ack").getString("re"));
                    worst = Math.max(worst, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
                }
                System.out.println("ClusterIT: slowest publish over a 150 ms (each way) link to Redis: " + worst + " ms");
                assertTrue(worst <= 2_000, "publishes over a slow link to Redis are answered within 2 s: " + worst + " ms");
                JsonObject lastA = untilData(a, 10, seenA);
                JsonObject lastB = untilData(b, 10, seenB);
                assertEquals(10, seenA.size(), "every publication, once, and no resynchronization on A: " + seenA);
                assertEquals(10, seenB.size(), "and on B: " + seenB);
                assertNoSilentGap(seenA, "A's member");
                assertNoSilentGap(seenB, "B's member");
                assertEquals(lastA.getString("epoch"), lastB.getString("epoch"));
                assertEquals("alive", a.send(msg("ping", "alive")).skipTo("pong").getString("re"));
            } finally {
                redisLink.heal();
            }
        }
    }

    /**
     * A partition: node A (Payara) cut off from Redis for 8 s — longer than the node timeout (3 s) — while node B
     * (WildFly) keeps it, and both publish into the same room meanwhile (a split brain). The cut is a proxy that stops
     * forwarding without closing anything, as a lost route does. Both nodes go on delivering locally; a publish on A
     * is answered within 2 s and a handshake on A works; B counts A as gone. After the heal every member either
     * continues without a gap or is told (joined, recovered: false) — never a silent gap — and the room works across
     * nodes again.
     */
    @Test
    @Order(8)
    void aNodePartitionedFromRedisGoesOnLocallyAndAfterTheHealNoGapIsSilent() throws Exception {
        try (WsClient a = WsClient.connect(payara.ws()); WsClient b = WsClient.connect(wildfly.ws());
             WsClient pubA = WsClient.connect(payara.ws()); WsClient pubB = WsClient.connect(wildfly.ws())) {
            join(a, "split", null);
            join(b, "split", null);
            join(pubA, "split", null);
            join(pubB, "split", null);
            pubA.send(msg("publish", "p1", "room", "split", "data", Json.createValue(1)));
            pubA.skipTo("ack");
            List<JsonObject> seenA = new ArrayList<>(List.of(a.skipTo("message")));
            List<JsonObject> seenB = new ArrayList<>(List.of(b.skipTo("message")));

            long cut = System.nanoTime();
            redisLink.blackhole();
            try {
                for (int i = 2; i <= 4; i++) {
                    long sent = System.nanoTime();
                    pubA.send(msg("publish", "p" + i, "room", "split", "data", Json.createValue(i)));
                    assertEquals("p" + i, pubA.skipTo("ack").getString("re"));
                    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                    assertTrue(took <= 2_000, "a publish on the cut-off node is answered within 2 s: " + took + " ms");
                }
                for (int i = 102; i <= 104; i++) {
                    pubB.send(msg("publish", "q" + i, "room", "split", "data", Json.createValue(i)));
                    assertEquals("q" + i, pubB.skipTo("ack").getString("re"), "B keeps Redis and publishes");
                }
                long connecting = System.nanoTime();
                try (WsClient newcomer = WsClient.connect(payara.ws())) {
                    assertEquals("rt", newcomer.send(msg("ping", "rt")).skipTo("pong").getString("re"));
                    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connecting);
                    assertTrue(took <= 2_000, "a handshake and a round trip on the cut-off node: " + took + " ms");
                }
                awaitStats(wildfly, "\"nodes\":1"); // B no longer counts A, after the node timeout
                long rest = TimeUnit.SECONDS.toNanos(8) - (System.nanoTime() - cut); // the scenario's length
                if (rest > 0) {
                    TimeUnit.NANOSECONDS.sleep(rest);
                }
            } finally {
                redisLink.heal();
            }
            awaitStats(payara, "\"clusterReachable\":true");
            awaitStats(wildfly, "\"nodes\":2");
            pubB.send(msg("publish", "p200", "room", "split", "data", Json.createValue(200)));
            long offset = pubB.skipTo("ack").getJsonNumber("offset").longValue();
            JsonObject lastA = untilData(a, 200, seenA);
            JsonObject lastB = untilData(b, 200, seenB);
            assertNoSilentGap(seenA, "A's member");
            assertNoSilentGap(seenB, "B's member");
            assertEquals(offset, lastA.getJsonNumber("offset").longValue(), "the room works across nodes again: " + seenA);
            assertEquals(lastA.getString("epoch"), lastB.getString("epoch"), "one log again");
            assertEquals(offset, lastB.getJsonNumber("offset").longValue());
        }
    }

    /** Collects {@code message} and {@code joined} frames into {@code seen} until the message carrying {@code data}. */
    private static JsonObject untilData(WsClient client, int data, List<JsonObject> seen) throws InterruptedException {
        while (true) {
            JsonObject frame = client.next();
            String type = frame.getString("type");
            if ("message".equals(type) || "joined".equals(type)) {
                seen.add(frame);
            }
            if ("message".equals(type) && frame.getJsonNumber("data") != null && frame.getInt("data") == data) {
                return frame;
            }
        }
    }

    /**
     * Every message continues the one before it (same epoch, next offset), unless a server-sent {@code joined} came
     * between them, and the next message then continues that {@code joined} (its epoch, its offset + 1).
     */
    private static void assertNoSilentGap(List<JsonObject> seen, String who) {
        String epoch = null;
        long offset = -1;
        for (JsonObject frame : seen) {
            if ("joined".equals(frame.getString("type"))) {
                assertFalse(frame.getBoolean("recovered", false), who + ": a server-sent joined says recovered false: " + frame);
            } else if (epoch != null) {
                assertEquals(epoch, frame.getString("epoch"), who + ": an epoch changed without a joined: " + seen);
                assertEquals(offset + 1, frame.getJsonNumber("offset").longValue(), who + ": a silent gap: " + seen);
            }
            epoch = frame.getString("epoch");
            offset = frame.getJsonNumber("offset").longValue();
        }
    }

    /**
     * SIGTERM, as a process manager stops a server, while a publisher publishes on it: every connection gets 1001, and
     * every acknowledged publication either reached every member before that (the drain waits for what this node
     * appended to come back from Redis) or is held in the room's shared log, so a member recovers it on reconnect —
     * never lost. Runs last: it stops the last node.
     */
    @Test
    @Order(11)
    void aNodeStoppedWithSigtermWhilePublishingDeliversEveryAcknowledgedPublicationThenCloses1001() throws Exception {
        List<WsClient> members = new ArrayList<>();
        java.util.Set<Long> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean publishing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.CountDownLatch underWay = new java.util.concurrent.CountDownLatch(100);
        Thread publisher = new Thread(() -> {
            HttpClient http = Quirks.http();
            for (int i = 0; publishing.get(); i++) {
                try {
                    HttpResponse<String> r = http.send(Deployments.withKey(HttpRequest.newBuilder(
                            wildfly.base().resolve("api/rooms/sigterm/messages"))).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString("{\"i\":" + i + "}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 202) {
                        acked.add(Json.createReader(new java.io.StringReader(r.body())).readObject().getJsonNumber("offset").longValue());
                        underWay.countDown();
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    // stopping: not acknowledged
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "sigterm-publisher");
        try {
            for (int i = 0; i < 20; i++) {
                WsClient c = WsClient.connect(wildfly.ws());
                join(c, "sigterm", null);
                members.add(c);
            }
            publisher.start();
            assertTrue(underWay.await(20, TimeUnit.SECONDS), "publishing under way: " + acked.size());
            wildfly.terminate();
            publishing.set(false);
            publisher.join(10_000);
            for (WsClient c : members) {
                java.util.Set<Long> received = new java.util.HashSet<>();
                for (JsonObject m = c.nextUnlessClosed(); m != null; m = c.nextUnlessClosed()) {
                    if ("message".equals(m.getString("type"))) {
                        received.add(m.getJsonNumber("offset").longValue());
                    }
                }
                assertEquals(1001, c.awaitClose().code(), "SIGTERM closes with 1001");
                java.util.Set<Long> missing = new java.util.TreeSet<>(acked);
                missing.removeAll(received);
                for (long offset : missing) {
                    assertTrue(redis.holds("switchboard:{sigterm}:log", offset), "acknowledged publication " + offset
                            + " neither delivered before the 1001 nor held for recovery (" + acked.size() + " acknowledged)");
                }
            }
        } finally {
            publishing.set(false);
            members.forEach(WsClient::close);
        }
    }

    private static int handshakeStatus(ClusterNodes.Node node, String credential) throws Exception {
        try {
            Quirks.http().newWebSocketBuilder().subprotocols("switchboard.v1", credential)
                    .buildAsync(node.ws().resolve("ws"), new java.net.http.WebSocket.Listener() { })
                    .get(10, TimeUnit.SECONDS).abort();
            return 101;
        } catch (java.util.concurrent.ExecutionException e) {
            return ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    @Test
    @Order(9)
    void redisDownForTenSecondsLocalDeliveryGoesOnAndNoGapIsSilent() throws Exception {
        try (WsClient a = WsClient.connect(payara.ws()); WsClient b = WsClient.connect(wildfly.ws());
             WsClient pubA = WsClient.connect(payara.ws()); WsClient pubB = WsClient.connect(wildfly.ws());
             WsClient calmA = WsClient.connect(payara.ws()); WsClient calmB = WsClient.connect(wildfly.ws())) {
            join(a, "outage", null);
            join(b, "outage", null);
            join(pubA, "outage", null);
            join(pubB, "outage", null);
            join(calmA, "calm", null);
            join(calmB, "calm", null);
            for (int i = 1; i <= 5; i++) {
                pubA.send(msg("publish", "p" + i, "room", "outage", "data", Json.createValue(i)));
                pubA.skipTo("ack");
            }
            assertEquals(List.of(1, 2, 3, 4, 5), values(b, 5));
            assertEquals(List.of(1, 2, 3, 4, 5), values(a, 5));
            calmB.send(msg("publish", "c1", "room", "calm", "data", Json.createValue(1)));
            calmB.skipTo("ack");
            JsonObject calmBefore = calmA.skipTo("message");

            long down = System.nanoTime();
            redis.stop();
            awaitStats(payara, "\"clusterReachable\":false");
            // a node cut from Redis is not ready (its rooms would go apart from the other nodes'), but alive
            HttpResponse<String> notReady = Quirks.http().send(HttpRequest.newBuilder(payara.base().resolve("api/health/ready"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, notReady.statusCode(), notReady.body());
            assertTrue(notReady.body().contains("{\"name\":\"switchboard-cluster\",\"status\":\"DOWN\"}"), notReady.body());
            assertEquals(200, Quirks.http().send(HttpRequest.newBuilder(payara.base().resolve("api/health/live")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), "cut from Redis is not dead");
            // local delivery goes on: A's members get what is published on A while Redis is away
            for (int i = 6; i <= 8; i++) {
                pubA.send(msg("publish", "p" + i, "room", "outage", "data", Json.createValue(i)));
                assertEquals("p" + i, pubA.skipTo("ack").getString("re"), "a publication while Redis is down is accepted");
            }
            assertEquals(List.of(6, 7, 8), values(a, 3), "delivered on the node where it was published");
            // the outage lasts 10 s, as in RELIABILITY.md item 18 (a scenario length, not a synchronisation)
            long rest = TimeUnit.SECONDS.toNanos(10) - (System.nanoTime() - down);
            if (rest > 0) {
                TimeUnit.NANOSECONDS.sleep(rest);
            }
            redis = restart(redis);
            awaitStats(payara, "\"clusterReachable\":true");
            awaitStats(wildfly, "\"clusterReachable\":true");
            assertEquals(200, Quirks.http().send(HttpRequest.newBuilder(payara.base().resolve("api/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), "ready again once Redis answers");

            // B never saw 6..8: it is told to resynchronize (joined, recovered: false), never left with a silent gap
            JsonObject resyncB = b.skipTo("joined");
            assertFalse(resyncB.getBoolean("recovered"), "B's member is told it cannot recover: " + resyncB);
            JsonObject resyncA = a.skipTo("joined");
            assertFalse(resyncA.getBoolean("recovered"));
            assertEquals(resyncA.getString("epoch"), resyncB.getString("epoch"), "both follow the same new epoch");

            // and the room works across nodes again, in the new epoch
            pubB.send(msg("publish", "p9", "room", "outage", "data", Json.createValue(9)));
            long offset = pubB.skipTo("ack").getJsonNumber("offset").longValue();
            JsonObject onA = a.skipTo("message");
            assertEquals(9, onA.getInt("data"));
            assertEquals(resyncA.getString("epoch"), onA.getString("epoch"));
            assertEquals(offset, onA.getJsonNumber("offset").longValue());

            // a room where nothing was published during the outage goes on seamlessly: same epoch, next offset
            calmB.send(msg("publish", "c2", "room", "calm", "data", Json.createValue(2)));
            calmB.skipTo("ack");
            JsonObject calmAfter = calmA.skipTo("message");
            assertEquals(calmBefore.getString("epoch"), calmAfter.getString("epoch"), "no reset where nothing was missed");
            assertEquals(calmBefore.getJsonNumber("offset").longValue() + 1, calmAfter.getJsonNumber("offset").longValue());
        }
    }

    @Test
    @Order(10)
    void aNodeKilledWithSigkillItsClientsRecoverOnTheOther() throws Exception {
        try (WsClient onB = WsClient.connect(wildfly.ws()); WsClient notices = WsClient.connect(wildfly.ws())) {
            join(notices, "demo:cluster", null); // where the server's application says which node was lost (ClusterNotices)
            WsClient onA = WsClient.connect(payara.ws());
            JsonObject joinedA = join(onA, "survive", null);
            join(onB, "survive", null);
            onB.awaitPresence(onA.user, true);
            for (int i = 1; i <= 10; i++) {
                onB.send(msg("publish", "p" + i, "room", "survive", "data", Json.createValue(i)));
                onB.skipTo("ack");
            }
            List<Integer> seen = values(onA, 10);
            assertEquals(10, seen.size());
            String epoch = joinedA.getString("epoch");
            long last = joinedA.getJsonNumber("offset").longValue() + 10;

            payara.kill();
            assertFalse(payara.isAlive());
            // the dead node's members disappear from presence once its heartbeat is older than the node timeout
            long killed = System.nanoTime();
            onB.awaitPresence(onA.user, false);
            assertTrue(System.nanoTime() - killed < NODE_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(5),
                    "the dead node's members left presence within the node timeout");
            // the surviving node's application was told, once, whom the dead node held (SwitchboardEvent.NodeLost)
            JsonObject lost = notices.skipTo("message").getJsonObject("data");
            assertEquals("node_lost", lost.getString("event"), lost.toString());
            assertTrue(lost.getJsonArray("users").getValuesAs(JsonString.class).stream()
                    .anyMatch(u -> u.getString().equals(onA.user)), "the dead node's user: " + lost);
            assertTrue(lost.getJsonObject("rooms").getJsonArray("survive").getValuesAs(JsonString.class).stream()
                    .anyMatch(u -> u.getString().equals(onA.user)), "and its room: " + lost);

            for (int i = 11; i <= 30; i++) {
                onB.send(msg("publish", "p" + i, "room", "survive", "data", Json.createValue(i)));
                assertEquals("p" + i, onB.skipTo("ack").getString("re"));
            }
            // A's client reconnects to the surviving node and recovers everything it missed
            try (WsClient back = WsClient.connect(wildfly.ws())) {
                JsonObject joined = join(back, "survive", since(epoch, last));
                assertTrue(joined.getBoolean("recovered"), "recovered on the surviving node: " + joined);
                List<Integer> missed = values(back, 20);
                for (int i = 0; i < 20; i++) {
                    assertEquals(11 + i, missed.get(i), "all 20, in order: " + missed);
                }
            }
        }
    }

    /**
     * The durable outbox: a node that dies right after a transaction committed (the JVM halted inside the commit's
     * completion, before Switchboard published) loses nothing — the order is stored, and the other node, sweeping the
     * shared datasource, publishes it to the room's members once, after the grace.
     */
    @Test
    @Order(11)
    void aNodeThatDiesRightAfterACommitLosesNothingTheOtherPublishesItOnce() throws Exception {
        ClusterNodes.Node doomed = ClusterNodes.Node.payara("payara-doomed", settings, ordersWar, databaseUrl).start();
        // the member connects once the node is ready: idle while it starts, it was closed by the first-message timeout
        // (15 s) when Payara Micro took longer than that to start (CI, 2026-12-05)
        try (WsClient member = connectOnceReady(doomed, wildfly)) {
            join(member, "ledger", null);
            assertEquals(202, order(doomed, "ledger", "first", false).statusCode(), "an order committed and published");
            assertEquals("first", member.skipTo("message").getJsonObject("data").getString("item"));

            long killed = System.nanoTime();
            try {
                HttpResponse<String> dead = order(doomed, "ledger", "second", true);
                throw new AssertionError("the node answered an order that should have halted it: " + dead.statusCode()
                        + " " + dead.body());
            } catch (java.io.IOException expected) {
                // the node died inside the commit: no answer
            }
            assertTrue(doomed.awaitExit(Duration.ofSeconds(20)), "the node halted");
            try (var s = databaseHeld.prepareStatement("SELECT COUNT(*) FROM it_orders WHERE item = 'second'");
                 var r = s.executeQuery()) {
                assertTrue(r.next() && r.getInt(1) == 1, "the order was committed before the node died");
            }
            JsonObject swept = member.skipTo("message");
            assertEquals("second", swept.getJsonObject("data").getString("item"), "published by the surviving node");
            assertTrue(System.nanoTime() - killed > OUTBOX_GRACE.toNanos(), "after the grace, not before");
            member.assertNo("message", OUTBOX_GRACE.multipliedBy(3));
            String log = java.nio.file.Files.readString(ClusterNodes.DIR.resolve("wildfly.log"));
            assertTrue(log.contains("Outbox: swept 1 publication(s)"), "the survivor says it swept it");
        } finally {
            doomed.kill();
        }
    }

    private static WsClient connectOnceReady(ClusterNodes.Node starting, ClusterNodes.Node to) throws Exception {
        starting.awaitReady();
        return WsClient.connect(to.ws());
    }

    private static HttpResponse<String> order(ClusterNodes.Node node, String room, String item, boolean halt)
            throws Exception {
        return Quirks.http().send(HttpRequest.newBuilder(node.base().resolve("it/orders?room=" + room + "&item=" + item
                        + (halt ? "&halt=true" : ""))).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    // ------------------------------------------------------------------ helpers

    private static JsonObject join(WsClient client, String room, JsonObject since) throws InterruptedException {
        var message = Json.createObjectBuilder().add("type", "join").add("id", "j-" + room).add("room", room);
        if (since != null) {
            message.add("since", since);
        }
        client.send(message.build());
        JsonObject joined = client.skipTo("joined");
        assertEquals("j-" + room, joined.getString("re"), "answer to the join: " + joined);
        return joined;
    }

    private static JsonObject since(String epoch, long offset) {
        return Json.createObjectBuilder().add("epoch", epoch).add("offset", offset).build();
    }

    /** The integer data of the next {@code count} messages (other frames skipped). */
    private static List<Integer> values(WsClient client, int count) throws InterruptedException {
        List<Integer> values = new ArrayList<>();
        while (values.size() < count) {
            JsonObject message = client.skipTo("message");
            values.add(message.getInt("data"));
        }
        return values;
    }

    private static ClusterNodes.Redis restart(ClusterNodes.Redis stopped) throws Exception {
        return stopped.startAgain();
    }

    /** Waits (bounded) until the node's stats contain {@code fragment}. */
    private static void awaitStats(ClusterNodes.Node node, String fragment) throws Exception {
        HttpClient http = Quirks.http();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(Deployments.withKey(HttpRequest.newBuilder(node.base().resolve("api/stats")))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            last = response.body();
            if (last.contains(fragment)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(100); // bounded poll of an HTTP endpoint
        }
        throw new AssertionError(node.name + ": stats never showed " + fragment + " within 20 s; last: " + last);
    }
}
