package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.Switchboard;
import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import dev.switchboard.protocol.ClientMessage;
import dev.switchboard.protocol.TagFilter;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tag filters: a member with {@code join.filter} receives only the publications whose tags match it — live, recovered
 * after a reconnect and rewound — and a {@code history} with a filter pages through the matching ones only; members
 * without a filter receive everything; a publication without the tag does not match. On one node and across nodes.
 */
class TagFiltersTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private final EngineFixture fixture = new EngineFixture();
    private final MemoryBus bus = new MemoryBus(fixture);
    private final Settings settings = EngineFixture.settings().queue(1000)
            .room(new RoomPolicy(100, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0, 1000,
                    RoomPolicy.HISTORY_MAX_BYTES, 0, 50)).build();

    @AfterEach
    void stop() {
        bus.close();
        fixture.close();
        assertEquals(List.of(), bus.violations, "store calls under a room's lock or on a delivery thread");
    }

    /** Publishes 1..n; odd ones tagged region=eu, even ones region=us, every third tier=gold, every fifth untagged. */
    private static void publish(Hub hub, String room, int from, int to) {
        for (int i = from; i <= to; i++) {
            hub.publish(room, Json.createValue(i), tagsOf(i), null);
        }
    }

    private static Map<String, String> tagsOf(int i) {
        if (i % 5 == 0) {
            return null;
        }
        return i % 3 == 0 ? Map.of("region", i % 2 == 1 ? "eu" : "us", "tier", "gold")
                : Map.of("region", i % 2 == 1 ? "eu" : "us");
    }

    private static JsonObject filter(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }

    @Test
    void aFilteredMemberGetsOnlyWhatMatchesAndOthersGetEverything() throws Exception {
        Hub hub = new Hub(settings, fixture.writers, fixture.timers, e -> { }, List.of());
        try {
            TestTransport all = TestTransport.async(fixture.completer);
            TestTransport eu = TestTransport.async(fixture.completer);
            TestTransport gold = TestTransport.async(fixture.completer);
            join(hub, all, "ann", null);
            join(hub, eu, "bob", "{\"region\":\"eu\"}");
            join(hub, gold, "cid", "{\"region\":[\"eu\",\"us\"],\"tier\":\"gold\"}");
            publish(hub, "feed", 1, 15);
            EngineFixture.within(WAIT, () -> data(all).size() == 15, all::texts);
            EngineFixture.within(WAIT, () -> data(gold).size() == 4, gold::texts);
            EngineFixture.within(WAIT, () -> data(eu).size() == 6, eu::texts);
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), data(all), "no filter: every one");
            assertEquals(List.of(1, 3, 7, 9, 11, 13), data(eu), "region eu only; 5 and 15 have no tags: no match");
            assertEquals(List.of(3, 6, 9, 12), data(gold), "every named tag matches, one of the listed values");
            JsonObject tagged = frames(gold, "message").get(0);
            assertEquals("gold", tagged.getJsonObject("tags").getString("tier"), "the frame carries its tags");
        } finally {
            hub.shutdown();
        }
    }

    @Test
    void aSocketPublishCarriesTagsAndARejoinChangesTheFilter() throws Exception {
        Hub hub = new Hub(settings, fixture.writers, fixture.timers, e -> { }, List.of());
        try {
            TestTransport publisher = TestTransport.async(fixture.completer);
            TestTransport eu = TestTransport.async(fixture.completer);
            Connection p = join(hub, publisher, "ann", null);
            Connection member = join(hub, eu, "bob", "{\"region\":\"eu\"}");
            hub.dispatch(p, new ClientMessage.Publish("p1", "feed", Json.createValue(1), null, Map.of("region", "us")));
            hub.dispatch(p, new ClientMessage.Publish("p2", "feed", Json.createValue(2), null, Map.of("region", "eu")));
            EngineFixture.within(WAIT, () -> data(eu).size() == 1, eu::texts);
            hub.dispatch(member, new ClientMessage.Join("j2", "feed", null, null, filter("{\"region\":\"us\"}")));
            EngineFixture.within(WAIT, () -> frames(eu, "joined").size() == 2, eu::texts);
            hub.dispatch(p, new ClientMessage.Publish("p3", "feed", Json.createValue(3), null, Map.of("region", "eu")));
            hub.dispatch(p, new ClientMessage.Publish("p4", "feed", Json.createValue(4), null, Map.of("region", "us")));
            EngineFixture.within(WAIT, () -> data(publisher).size() == 4, publisher::texts);
            EngineFixture.within(WAIT, () -> data(eu).size() == 2, eu::texts);
            assertEquals(List.of(2, 4), data(eu), "eu, then (joined again with another filter) us");
            hub.dispatch(member, new ClientMessage.Join("j3", "feed", null, null, null));
            EngineFixture.within(WAIT, () -> frames(eu, "joined").size() == 3, eu::texts);
            hub.dispatch(p, new ClientMessage.Publish("p5", "feed", Json.createValue(5), null, null));
            EngineFixture.within(WAIT, () -> data(eu).size() == 3, eu::texts);
            assertEquals(List.of(2, 4, 5), data(eu), "joined again without a filter: everything");
        } finally {
            hub.shutdown();
        }
    }

    @Test
    void recoveryRewindAndHistoryHonourTheFilterOnOneNode() throws Exception {
        Hub hub = new Hub(settings, fixture.writers, fixture.timers, e -> { }, List.of());
        try {
            publish(hub, "feed", 1, 20);
            String epoch = hub.history("feed", 1, null, null, false).epoch();
            TestTransport recovering = TestTransport.async(fixture.completer);
            Connection c = hub.open(recovering, "ann", "/ws", false);
            hub.dispatch(c, new ClientMessage.Join("j", "feed", new ClientMessage.Since(epoch, 10L), null,
                    filter("{\"region\":\"eu\"}")));
            EngineFixture.within(WAIT, () -> data(recovering).size() == 4, recovering::texts);
            assertEquals(List.of(11, 13, 17, 19), data(recovering), "what was missed, of what matches (15 has no tags)");
            assertEquals(true, frames(recovering, "joined").get(0).getBoolean("recovered"));

            TestTransport rewound = TestTransport.async(fixture.completer);
            Connection r = hub.open(rewound, "bob", "/ws", false);
            hub.dispatch(r, new ClientMessage.Join("j", "feed", null, 3, filter("{\"tier\":\"gold\"}")));
            EngineFixture.within(WAIT, () -> data(rewound).size() == 3, rewound::texts);
            assertEquals(List.of(9, 12, 18), data(rewound), "the latest three that match, oldest first (15 untagged)");

            assertEquals(List.of(2, 4, 6), values(hub.history("feed", 3, null, null, false, TagFilter.of(
                    Map.of("region", List.of("us"))))), "a page counts the matching ones");
            assertEquals(List.of(18, 16), values(hub.history("feed", 2, epoch, 12L, true, TagFilter.of(
                    Map.of("region", List.of("us"))))), "newest first, after the position");
        } finally {
            hub.shutdown();
        }
    }

    @Test
    void acrossNodesTheSharedLogIsFilteredToo() throws Exception {
        Hub a = bus.node("a", settings);
        Hub b = bus.node("b", settings);
        publish(a, "feed", 1, 12);
        TestTransport t = TestTransport.async(fixture.completer);
        Connection onB = b.open(t, "ben", "/ws", false);
        b.dispatch(onB, new ClientMessage.Join("j", "feed", null, 2, filter("{\"region\":\"us\"}")));
        EngineFixture.within(WAIT, () -> data(t).size() == 2, t::texts);
        assertEquals(List.of(8, 12), data(t), "rewound from the shared log: the latest two that match (10 untagged)");
        publish(a, "feed", 13, 16);
        EngineFixture.within(WAIT, () -> data(t).size() == 4, t::texts);
        assertEquals(List.of(8, 12, 14, 16), data(t), "then the live ones from node A that match");
        assertEquals(List.of(3, 9), values(b.history("feed", 5, null, null, false,
                TagFilter.of(Map.of("tier", List.of("gold"), "region", List.of("eu"))))), "the shared log's history, filtered");
    }

    private Connection join(Hub hub, TestTransport t, String user, String filterJson) throws Exception {
        Connection c = hub.open(t, user, "/ws", false);
        hub.dispatch(c, new ClientMessage.Join("j", "feed", null, null, filterJson == null ? null : filter(filterJson)));
        EngineFixture.within(WAIT, () -> frames(t, "joined").size() == 1, t::texts);
        return c;
    }

    private static List<Integer> values(Switchboard.HistoryPage page) {
        return page.publications().stream().map(e -> ((jakarta.json.JsonNumber) e.data()).intValue()).toList();
    }

    private static List<Integer> data(TestTransport t) {
        return frames(t, "message").stream().map(m -> m.getInt("data")).toList();
    }

    private static List<JsonObject> frames(TestTransport t, String type) {
        return t.texts().stream().map(s -> Json.createReader(new StringReader(s)).readObject())
                .filter(j -> type.equals(j.getString("type"))).toList();
    }
}
