package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchboard.Switchboard;
import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import dev.switchboard.protocol.ClientMessage;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * History on demand and rewind on join, on one node (the room's own log) and across nodes (the shared log, read by a
 * node that never had the room): pages oldest first from a position or from the oldest kept, newest first, bounded by
 * the room class's page size; a position of another epoch or older than what is kept told as not recovered; a join's
 * rewind delivered right after {@code joined}, in order, before live publications, without duplicates.
 */
class RoomHistoryTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private final EngineFixture fixture = new EngineFixture();
    private final MemoryBus bus = new MemoryBus(fixture);
    /** Rooms keep 20 publications; a page holds at most 5. */
    private final Settings settings = EngineFixture.settings().queue(1000)
            .room(new RoomPolicy(20, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0, 1000,
                    RoomPolicy.HISTORY_MAX_BYTES, 0, 5)).build();

    @AfterEach
    void stop() {
        bus.close();
        fixture.close();
        assertEquals(List.of(), bus.violations, "store calls under a room's lock or on a delivery thread");
    }

    private static void publish(Hub hub, String room, int from, int to) {
        for (int i = from; i <= to; i++) {
            hub.publish(room, Json.createValue(i));
        }
    }

    private static List<Long> offsets(Switchboard.HistoryPage page) {
        return page.publications().stream().map(Switchboard.HistoryEntry::offset).toList();
    }

    private static List<Integer> data(Switchboard.HistoryPage page) {
        return page.publications().stream().map(e -> ((jakarta.json.JsonNumber) e.data()).intValue()).toList();
    }

    @Test
    void aRoomOfOneNodePagesFromItsOwnLog() {
        Hub hub = new Hub(settings, fixture.writers, fixture.timers, e -> { }, List.of());
        try {
            publish(hub, "chat", 1, 30); // 20 kept: offsets 11 to 30
            Switchboard.HistoryPage first = hub.history("chat", 3, null, null, false);
            assertEquals(List.of(11L, 12L, 13L), offsets(first), "from the oldest kept");
            assertEquals(List.of(11, 12, 13), data(first));
            assertEquals(30, first.offset());
            assertNull(first.recovered(), "no since asked: nothing to recover");
            Switchboard.HistoryPage next = hub.history("chat", 3, first.epoch(), 13L, false);
            assertEquals(List.of(14L, 15L, 16L), offsets(next), "the next page, after the last seen");
            assertEquals(Boolean.TRUE, next.recovered());
            assertEquals(List.of(30L, 29L, 28L, 27L, 26L), offsets(hub.history("chat", 100, null, null, true)),
                    "newest first, bounded by the class's page size (5)");
            Switchboard.HistoryPage old = hub.history("chat", 2, first.epoch(), 3L, false);
            assertEquals(Boolean.FALSE, old.recovered(), "offsets 4 to 10 are no longer kept");
            assertEquals(List.of(11L, 12L), offsets(old));
            Switchboard.HistoryPage other = hub.history("chat", 2, "another", 15L, false);
            assertEquals(Boolean.FALSE, other.recovered(), "another epoch");
            assertEquals(List.of(11L, 12L), offsets(other));
            assertEquals(List.of(), offsets(hub.history("chat", 2, first.epoch(), 30L, false)), "nothing after the latest");
            assertThrows(IllegalArgumentException.class, () -> hub.history("chat", 0, null, null, false));
            assertThrows(IllegalArgumentException.class, () -> hub.history("not a room", 1, null, null, false));
        } finally {
            hub.shutdown();
        }
    }

    @Test
    void aNodeWithoutTheRoomReadsTheSharedLog() throws Exception {
        Hub a = bus.node("a", settings);
        Hub b = bus.node("b", settings);
        publish(a, "shared", 1, 8);
        Switchboard.HistoryPage onB = b.history("shared", 5, null, null, true);
        assertEquals(List.of(8L, 7L, 6L, 5L, 4L), offsets(onB), "B never had the room: the shared log answers");
        assertEquals(8, onB.offset());
        Switchboard.HistoryPage after = b.history("shared", 5, onB.epoch(), 6L, false);
        assertEquals(List.of(7L, 8L), offsets(after));
        assertEquals(Boolean.TRUE, after.recovered());
        assertEquals(Boolean.FALSE, b.history("shared", 5, "lost", 6L, false).recovered());
    }

    @Test
    void aJoinWithRewindGetsTheLatestThenLiveOnesOnceInOrder() throws Exception {
        Hub a = bus.node("a", settings);
        Hub b = bus.node("b", settings);
        publish(a, "ticker:EURUSD", 1, 12);
        TestTransport t = TestTransport.async(fixture.completer);
        Connection onB = b.open(t, "ben", "/ws", false);
        b.dispatch(onB, new ClientMessage.Join("j", "ticker:EURUSD", null, 3, null));
        EngineFixture.within(WAIT, () -> frames(t, "message").size() == 3, () -> t.texts());
        publish(a, "ticker:EURUSD", 13, 14);
        EngineFixture.within(WAIT, () -> frames(t, "message").size() == 5, () -> t.texts());
        JsonObject joined = frames(t, "joined").get(0);
        assertEquals(12, joined.getInt("offset"));
        assertEquals(List.of(10, 11, 12, 13, 14), frames(t, "message").stream().map(m -> m.getInt("offset")).toList(),
                "the latest three from the shared log, then the live ones: in order, none twice");
        assertEquals("joined", json(t.texts().get(0)).getString("type"), "joined comes first");
    }

    @Test
    void aRoomClassRewindsOnItsOwnAndAJoinMayAskForNone() throws Exception {
        Settings ticker = settings.withRoomClass("ticker", new RoomPolicy(20, Duration.ofMinutes(5),
                SlowConsumerPolicy.DISCONNECT, 0, 1000, RoomPolicy.HISTORY_MAX_BYTES, 1, 5));
        Hub hub = new Hub(ticker, fixture.writers, fixture.timers, e -> { }, List.of());
        try {
            publish(hub, "ticker:GBP", 1, 4);
            TestTransport last = TestTransport.async(fixture.completer);
            assertEquals(true, hub.join(hub.open(last, "ann", "/ws", false), "j", "ticker:GBP", null, null));
            EngineFixture.within(WAIT, () -> frames(last, "message").size() == 1, () -> last.texts());
            assertEquals(4, frames(last, "message").get(0).getInt("data"), "the class's rewind: its last value");
            TestTransport none = TestTransport.async(fixture.completer);
            Connection c = hub.open(none, "bob", "/ws", false);
            hub.dispatch(c, new ClientMessage.Join("j", "ticker:GBP", null, 0, null));
            EngineFixture.within(WAIT, () -> frames(none, "joined").size() == 1, () -> none.texts());
            hub.publish("ticker:GBP", Json.createValue(5));
            EngineFixture.within(WAIT, () -> frames(none, "message").size() == 1, () -> none.texts());
            assertEquals(5, frames(none, "message").get(0).getInt("data"), "rewind 0: live ones only");
        } finally {
            hub.shutdown();
        }
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static List<JsonObject> frames(TestTransport t, String type) {
        return t.texts().stream().map(RoomHistoryTest::json).filter(j -> type.equals(j.getString("type"))).toList();
    }
}
