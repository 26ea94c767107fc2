package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The channel features as users see them on every server — history on demand, rewind on join, occupancy: the socket's {@code history} (pages oldest
 * first from a position, newest first, bounded by the room class's page size, a lost position told as not recovered),
 * {@code join} with {@code rewind} and a room class's own rewind, {@code GET /api/rooms/history}, occupancy (the
 * socket's {@code occupancy}, {@code GET /api/rooms/occupancy}) and personal streams ({@code send recoverable}) — with every
 * door's refusals: the anonymous, the wrong role, the oversized limit, the flood; and tag filters ({@code publish.tags},
 * {@code ?tag.<name>}, {@code join.filter}, {@code history.filter}, {@code ?filter.<name>}) with bad tags refused.
 * This WAR: room class {@code page} pages at most 5; class {@code ticker} rewinds 1; class {@code staff} needs role
 * {@code ops}; one server key; the API's rate 20/s (burst 20) per caller, the socket's 20/s (burst 50).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ChannelFeaturesIT {

    static final String SECRET = "history-it-secret-for-switchboard-0123456789";
    static final String KEY = "history-backend-key-0123456789";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("channel-it", "switchboard.rate.per-second=20\nswitchboard.rate.burst=50\n"
                + "switchboard.auth.jwt-secret=" + SECRET + "\n"
                + "switchboard.room-class.staff.roles=ops\n"
                + "switchboard.room-class.page.history.page-max=5\n"
                + "switchboard.room-class.ticker.rewind=1\n"
                + "switchboard.api.keys=backend:" + KEY + "\n"
                + "switchboard.api.rate.per-second=20\nswitchboard.api.rate.burst=20\n");
    }

    @ArquillianResource
    URL url;

    private final HttpClient http = Quirks.http();

    private static String bearer(String user, String... roles) throws Exception {
        return AuthIT.token(user, List.of(roles), Instant.now().plusSeconds(300), SECRET);
    }

    private WsClient user(String name, String... roles) throws Exception {
        WsClient client = WsClient.raw(Deployments.ws(url).resolve("ws"), "switchboard.v1", "bearer." + bearer(name, roles));
        client.expect("welcome");
        return client;
    }

    /** Joins {@code room} and publishes {@code 1..n} into it, each acknowledged. */
    private static void publish(WsClient client, String room, int from, int to) throws InterruptedException {
        client.send(msg("join", "j-" + room, "room", room)).skipTo("joined");
        for (int i = from; i <= to; i++) {
            client.send(msg("publish", "p" + i, "room", room, "data", i));
            client.skipTo("ack");
        }
    }

    private static List<Integer> offsets(JsonObject page) {
        List<Integer> offsets = new ArrayList<>();
        page.getJsonArray("publications").forEach(p -> offsets.add(p.asJsonObject().getInt("offset")));
        return offsets;
    }

    private static JsonObject since(String epoch, int offset) {
        return Json.createObjectBuilder().add("epoch", epoch).add("offset", offset).build();
    }

    @Test
    void historyPagesForwardFromAPositionAndNewestFirstAndTellsALostOne() throws Exception {
        try (WsClient ann = user("ann", "chat"); WsClient reader = user("rita", "chat")) {
            publish(ann, "page:news", 1, 8);
            JsonObject first = reader.send(msg("history", "h1", "room", "page:news", "limit", 3)).skipTo("history");
            assertEquals("h1", first.getString("re"));
            assertEquals(List.of(1, 2, 3), offsets(first), "oldest first; the reader never joined");
            assertEquals(8, first.getInt("offset"), "the room's latest offset");
            assertFalse(first.containsKey("recovered"), "no since: nothing to recover");
            JsonObject entry = first.getJsonArray("publications").getJsonObject(0);
            assertEquals(1, entry.getInt("data"));
            assertEquals("ann", entry.getString("from"));
            assertTrue(entry.getJsonNumber("ts").longValue() > 0);
            String epoch = first.getString("epoch");
            JsonObject next = reader.send(msg("history", "h2", "room", "page:news", "limit", 3, "since", since(epoch, 3)))
                    .skipTo("history");
            assertEquals(List.of(4, 5, 6), offsets(next));
            assertTrue(next.getBoolean("recovered"));
            JsonObject newest = reader.send(msg("history", "h3", "room", "page:news", "limit", 100,
                    "reverse", jakarta.json.JsonValue.TRUE))
                    .skipTo("history");
            assertEquals(List.of(8, 7, 6, 5, 4), offsets(newest), "newest first, at most the class's 5");
            JsonObject lost = reader.send(msg("history", "h4", "room", "page:news", "limit", 2, "since", since("gone", 5)))
                    .skipTo("history");
            assertFalse(lost.getBoolean("recovered"), "another epoch: told, from the oldest kept");
            assertEquals(List.of(1, 2), offsets(lost));
            assertEquals(epoch, lost.getString("epoch"));
        }
    }

    @Test
    void aJoinRewindsTheLatestBeforeLiveOnesAndATickerHandsItsLastValue() throws Exception {
        try (WsClient ann = user("ann", "chat"); WsClient late = user("lee", "chat"); WsClient ticker = user("tom", "chat")) {
            publish(ann, "chat:rewind", 1, 5);
            late.send(Json.createObjectBuilder(msg("join", "j", "room", "chat:rewind")).add("rewind", 2).build());
            JsonObject joined = late.expect("joined");
            assertEquals(5, joined.getInt("offset"));
            assertEquals(4, late.expect("message").getInt("data"), "the latest two, oldest first");
            assertEquals(5, late.expect("message").getInt("data"));
            ann.send(msg("publish", "p6", "room", "chat:rewind", "data", 6));
            assertEquals(6, late.expect("message").getInt("data"), "then the live one, once");

            publish(ann, "ticker:EURUSD", 1, 3);
            ticker.send(msg("join", "t", "room", "ticker:EURUSD")).expect("joined");
            assertEquals(3, ticker.expect("message").getInt("data"), "the class's rewind 1: the last value");
        }
    }

    @Test
    void historyOnTheSocketRefusesTheWrongRoleTheOversizedAndTheFlood() throws Exception {
        try (WsClient ops = user("olga", "ops"); WsClient alice = user("alice", "chat")) {
            publish(ops, "staff:notes", 1, 2);
            JsonObject forbidden = alice.send(msg("history", "x", "room", "staff:notes")).skipTo("error");
            assertEquals("forbidden", forbidden.getString("code"), forbidden.toString());
            JsonObject zero = alice.send(msg("history", "z", "room", "page:news", "limit", 0)).skipTo("error");
            assertEquals("invalid", zero.getString("code"));
            assertTrue(zero.getJsonObject("details").containsKey("limit"), zero.toString());
            JsonObject huge = alice.send(msg("history", "h", "room", "page:news", "limit", 1_000_000)).skipTo("error");
            assertEquals("invalid", huge.getString("code"), "over 10 000: refused, not clamped");
            JsonObject rewind = alice.send(Json.createObjectBuilder(msg("join", "r", "room", "page:news"))
                    .add("rewind", -1).build()).skipTo("error");
            assertEquals("invalid", rewind.getString("code"));
            int limited = 0;
            for (int i = 0; i < 60; i++) { // over the burst of 50, under the 20 refusals that close the connection
                alice.send(msg("history", "f" + i, "room", "page:news", "limit", 1));
            }
            for (int i = 0; i < 60; i++) {
                JsonObject answer = alice.next();
                if ("error".equals(answer.getString("type")) && "rate_limited".equals(answer.getString("code"))) {
                    limited++;
                }
            }
            assertTrue(limited > 0, "a flood of history requests is rate limited");
        }
    }

    @Test
    void tagFiltersSelectOnTheServerLiveRewoundAndInHistoryAndRefuseBadTags() throws Exception {
        try (WsClient ann = user("ann", "chat"); WsClient eve = user("eve", "chat"); WsClient late = user("lou", "chat")) {
            ann.send(msg("join", "j", "room", "chat:prices")).skipTo("joined");
            eve.send(Json.createObjectBuilder(msg("join", "j", "room", "chat:prices"))
                    .add("filter", Json.createObjectBuilder().add("symbol", Json.createArrayBuilder().add("EURUSD"))).build())
                    .skipTo("joined");
            String[] symbols = {"EURUSD", "GBPUSD", null};
            List<Integer> all = new ArrayList<>(); // what ann (no filter) receives, read while waiting for her acks
            for (int i = 1; i <= 3; i++) {
                JsonObject publish = msg("publish", "p" + i, "room", "chat:prices", "data", i);
                ann.send(symbols[i - 1] == null ? publish : Json.createObjectBuilder(publish)
                        .add("tags", Json.createObjectBuilder().add("symbol", symbols[i - 1])).build());
                for (JsonObject f = ann.skipToAny("ack", "message"); !"ack".equals(f.getString("type")); f = ann.skipToAny("ack", "message")) {
                    all.add(f.getInt("data"));
                }
            }
            HttpResponse<String> byKey = http.send(HttpRequest.newBuilder(Deployments.base(url)
                    .resolve("api/rooms/messages?room=chat%3Aprices&tag.symbol=EURUSD")).header("X-Switchboard-Key", KEY)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("4")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, byKey.statusCode(), byKey.body());
            JsonObject first = eve.expect("message");
            assertEquals(1, first.getInt("data"));
            assertEquals("EURUSD", first.getJsonObject("tags").getString("symbol"), "the frame carries its tags");
            assertEquals(4, eve.expect("message").getInt("data"), "2 (GBPUSD) and 3 (no tags) were not for her");
            while (all.size() < 4) {
                all.add(ann.skipTo("message").getInt("data"));
            }
            assertEquals(List.of(1, 2, 3, 4), all, "no filter: every one, in order");

            late.send(Json.createObjectBuilder(msg("join", "j", "room", "chat:prices")).add("rewind", 1)
                    .add("filter", Json.createObjectBuilder().add("symbol", "GBPUSD")).build()).expect("joined");
            assertEquals(2, late.expect("message").getInt("data"), "the latest GBPUSD, though two came after it");
            JsonObject page = late.send(Json.createObjectBuilder(msg("history", "h", "room", "chat:prices"))
                    .add("filter", Json.createObjectBuilder().add("symbol", "EURUSD")).build()).skipTo("history");
            assertEquals(List.of(1, 4), offsets(page), "history of the matching ones only");
            HttpResponse<String> overHttp = get("api/rooms/history?room=chat%3Aprices&filter.symbol=GBPUSD&filter.symbol=JPY",
                    "X-Switchboard-Key", KEY);
            assertEquals(200, overHttp.statusCode(), overHttp.body());
            assertEquals(List.of(2), offsets(Json.createReader(new StringReader(overHttp.body())).readObject()));

            late.send(Json.createObjectBuilder(msg("join", "bad", "room", "chat:prices"))
                    .add("filter", Json.createObjectBuilder().add("symbol", 7)).build());
            JsonObject badFilter = late.skipTo("error");
            assertEquals("invalid", badFilter.getString("code"));
            assertTrue(badFilter.getJsonObject("details").containsKey("filter"), badFilter.toString());
            ann.send(Json.createObjectBuilder(msg("publish", "bad", "room", "chat:prices", "data", 5))
                    .add("tags", Json.createObjectBuilder().add("bad name", "x")).build());
            JsonObject badTags = ann.skipTo("error");
            assertEquals("invalid", badTags.getString("code"));
            assertTrue(badTags.getJsonObject("details").containsKey("tags"), badTags.toString());
            assertEquals(400, get("api/rooms/history?room=chat%3Aprices&filter.bad%20name=x", "X-Switchboard-Key", KEY)
                    .statusCode(), "a filter that breaks the rules over HTTP");
        }
    }

    @Test
    void historyOverHttpServesKeysAndUsersWithTheRightAndRefusesEveryoneElse() throws Exception {
        try (WsClient ops = user("olga", "ops")) {
            publish(ops, "staff:log", 1, 4);
        }
        String path = "api/rooms/history?room=staff%3Alog&limit=2";
        HttpResponse<String> byKey = get(path, "X-Switchboard-Key", KEY);
        assertEquals(200, byKey.statusCode(), byKey.body());
        JsonObject page = Json.createReader(new StringReader(byKey.body())).readObject();
        assertEquals(List.of(1, 2), offsets(page));
        assertEquals(4, page.getInt("offset"));
        HttpResponse<String> reverse = get(path + "&reverse=true&since=" + page.getString("epoch") + ":1",
                "Authorization", "Bearer " + bearer("dave", "ops"));
        assertEquals(200, reverse.statusCode(), reverse.body());
        JsonObject newest = Json.createReader(new StringReader(reverse.body())).readObject();
        assertEquals(List.of(4, 3), offsets(newest));
        assertTrue(newest.getBoolean("recovered"));
        assertEquals(401, get(path, null, null).statusCode(), "anonymous");
        assertEquals(401, get(path, "X-Switchboard-Key", "not-the-key-0123456789").statusCode(), "wrong key");
        assertEquals(403, get(path, "Authorization", "Bearer " + bearer("alice", "chat")).statusCode(), "wrong role");
        assertEquals(400, get("api/rooms/history?room=staff%3Alog&limit=20000", "X-Switchboard-Key", KEY).statusCode(),
                "an oversized limit");
        assertEquals(400, get("api/rooms/history?room=staff%3Alog&since=nonsense", "X-Switchboard-Key", KEY).statusCode(),
                "a since that is not epoch:offset");
        assertEquals(400, get("api/rooms/history", "X-Switchboard-Key", KEY).statusCode(), "no room");
        assertFloodRefused(path, "Bearer " + bearer("dave", "ops"));
    }

    @Test
    void occupancyCountsARoomWithoutListingItAndRefusesStrangers() throws Exception {
        try (WsClient ann = user("ann", "chat"); WsClient ann2 = user("ann", "chat"); WsClient bob = user("bob", "chat");
             WsClient counter = user("cleo", "chat"); WsClient ops = user("olga", "ops")) {
            for (WsClient c : List.of(ann, ann2, bob)) {
                c.send(msg("join", "j", "room", "chat:stadium")).skipTo("joined");
            }
            JsonObject counts = counter.send(msg("occupancy", "o", "room", "chat:stadium")).skipTo("occupancy");
            assertEquals("o", counts.getString("re"));
            assertEquals(2, counts.getInt("users"), "ann twice and bob: " + counts);
            assertEquals(3, counts.getInt("connections"));
            assertFalse(counts.containsKey("members"), "counts, not the list");
            ops.send(msg("join", "j", "room", "staff:room")).skipTo("joined");
            JsonObject forbidden = counter.send(msg("occupancy", "x", "room", "staff:room")).skipTo("error");
            assertEquals("forbidden", forbidden.getString("code"));
            JsonObject invalid = counter.send(msg("occupancy", "y", "room", "not a room")).skipTo("error");
            assertEquals("invalid", invalid.getString("code"));

            String path = "api/rooms/occupancy?room=staff%3Aroom";
            HttpResponse<String> byKey = get(path, "X-Switchboard-Key", KEY);
            assertEquals(200, byKey.statusCode(), byKey.body());
            JsonObject staff = Json.createReader(new StringReader(byKey.body())).readObject();
            assertEquals(1, staff.getInt("users"));
            assertEquals(401, get(path, null, null).statusCode(), "anonymous");
            assertEquals(403, get(path, "Authorization", "Bearer " + bearer("alice", "chat")).statusCode(), "wrong role");
            assertEquals(400, get("api/rooms/occupancy?room=" + "x".repeat(200), "X-Switchboard-Key", KEY).statusCode(),
                    "an oversized room name");
            assertEquals(200, get(path, "Authorization", "Bearer " + bearer("dave", "ops")).statusCode(), "the right role");
            assertFloodRefused(path, "Bearer " + bearer("erin", "ops"));
        }
    }

    @Test
    void aRecoverableSendWaitsInTheOwnersStreamAndOnlyTheOwnerReadsIt() throws Exception {
        try (WsClient bob = user("bob", "chat")) {
            JsonObject ack = bob.send(Json.createObjectBuilder(msg("send", "s", "to", "nora", "data", "for nora later"))
                    .add("recoverable", true).build()).skipTo("ack");
            assertEquals("user:nora", ack.getString("room"), "nora is not connected: kept in her stream");
            JsonObject refused = bob.send(msg("join", "j", "room", "user:nora")).skipTo("error");
            assertEquals("forbidden", refused.getString("code"), "bob may not join nora's stream");
            assertEquals("forbidden", bob.send(msg("history", "h", "room", "user:nora")).skipTo("error").getString("code"));
        }
        HttpResponse<String> pushed = http.send(HttpRequest.newBuilder(Deployments.base(url)
                        .resolve("api/rooms/messages?room=user%3Anora")).header("X-Switchboard-Key", KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("\"from the back-end\""))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, pushed.statusCode(), "a server key publishes into a stream: " + pushed.body());
        HttpResponse<String> byUser = http.send(HttpRequest.newBuilder(Deployments.base(url)
                        .resolve("api/rooms/messages?room=user%3Anora")).header("Authorization", "Bearer " + bearer("nora", "chat"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, byUser.statusCode(), "a user does not, not even its owner: " + byUser.body());
        try (WsClient nora = user("nora", "chat")) {
            nora.send(Json.createObjectBuilder(msg("join", "j", "room", "user:nora")).add("rewind", 10).build()).expect("joined");
            JsonObject first = nora.expect("message");
            assertEquals("for nora later", first.getString("data"));
            assertEquals("bob", first.getString("from"));
            assertEquals("from the back-end", nora.expect("message").getString("data"));
            assertEquals("forbidden", nora.send(msg("publish", "p", "room", "user:nora", "data", 1)).skipTo("error")
                    .getString("code"), "nobody publishes into a stream over the socket");
        }
    }

    /** 40 calls at once over the API's rate of 20/s: some are refused with 429 and Retry-After. */
    private void assertFloodRefused(String path, String authorization) throws Exception {
        int limited = 0;
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // at once
            calls.add(http.sendAsync(HttpRequest.newBuilder(Deployments.base(url).resolve(path)).header("Authorization", authorization)
                    .GET().build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (var call : calls) {
            HttpResponse<String> flood = call.get(30, java.util.concurrent.TimeUnit.SECONDS);
            if (flood.statusCode() == 429) {
                limited++;
                assertTrue(flood.headers().firstValue("Retry-After").isPresent(), "429 says when to come back");
            }
        }
        assertTrue(limited > 0, "40 calls at once over a rate of 20/s: the flood is refused");
    }

    private HttpResponse<String> get(String path, String header, String value) throws Exception {
        URI uri = Deployments.base(url).resolve(path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
        if (header != null) {
            b.header(header, value);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
