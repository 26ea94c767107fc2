package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node whose store calls failed while the store still answered (a slow store, or a node too busy to read its
 * answers) repairs what failed and nothing else: a room that went on alone rejoins the shared log, its members told;
 * a room that kept its place is left as it is — its members are not told to resynchronize, and nothing is rewritten.
 */
class ClusterRepairTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private final EngineFixture fixture = new EngineFixture();
    private final MemoryBus bus = new MemoryBus(fixture);
    private final Settings settings = EngineFixture.settings().queue(1000)
            .room(new RoomPolicy(100, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0)).build();
    private final Hub a = bus.node("a", settings);
    private final Hub b = bus.node("b", settings);

    @AfterEach
    void stop() {
        bus.close();
        fixture.close();
        assertEquals(List.of(), bus.violations, "store calls under a room's lock or on a delivery thread");
    }

    @Test
    void onlyARoomThatWentOnAloneRejoinsTheSharedLog() throws Exception {
        TestTransport ann = TestTransport.async(fixture.completer);
        Connection annOnA = a.open(ann, "ann", "/ws", false);
        assertTrue(a.join(annOnA, "j1", "alone", null, null));
        assertTrue(a.join(annOnA, "j2", "steady", null, null));
        TestTransport ben = member(b, "ben", "steady");
        a.publish("alone", Json.createValue(1));
        a.publish("steady", Json.createValue(1));
        EngineFixture.within(WAIT, () -> count(ann, "message", null) == 2 && count(ben, "message", null) == 1, ann::texts);
        bus.unreachable = true;
        a.publish("alone", Json.createValue(2)); // the store's call fails: delivered on a alone
        EngineFixture.within(WAIT, () -> count(ann, "message", "alone") == 2, ann::texts);
        assertTrue(a.room("alone").isLocal());
        assertFalse(a.room("steady").isLocal());

        bus.answersAgain();
        EngineFixture.within(WAIT, () -> !a.room("alone").isLocal(), ann::texts);
        // the room that went on alone: its member told to resynchronize (a second "joined" without "re")
        EngineFixture.within(WAIT, () -> told(ann, "alone") == 2, ann::texts);
        a.publish("steady", Json.createValue(2));
        EngineFixture.within(WAIT, () -> count(ben, "message", "steady") == 2, ben::texts);
        EngineFixture.within(WAIT, () -> count(ann, "message", "steady") == 2, ann::texts);
        assertEquals(0, told(ann, "steady"), "steady kept its place: nobody told to resynchronize: " + ann.texts());
        assertEquals(0, told(ben, "steady"), ben.texts().toString());
    }

    /**
     * A reconnect storm's join on a node that never had the room: its reads time out twice while the store answers the
     * heartbeat; asked again, the member recovers what it missed instead of being told to resynchronize — and the room
     * joins the shared log rather than going on alone.
     */
    @Test
    void aJoinWhoseReadsTimeOutWhileTheStoreAnswersIsAskedAgainAndRecovers() throws Exception {
        TestTransport ann = member(a, "ann", "storm");
        for (int i = 1; i <= 4; i++) {
            a.publish("storm", Json.createValue(i));
        }
        EngineFixture.within(WAIT, () -> count(ann, "message", "storm") == 4, ann::texts);
        String epoch = ann.texts().stream().map(ClusterRepairTest::json).filter(j -> "message".equals(j.getString("type")))
                .findFirst().orElseThrow().getString("epoch");
        bus.slowCalls.set(SharedJoins.ATTEMPTS - 1);
        TestTransport ben = TestTransport.async(fixture.completer);
        assertTrue(b.join(b.open(ben, "ben", "/ws", false), "j", "storm", epoch, 1L));
        EngineFixture.within(WAIT, () -> count(ben, "message", "storm") == 3, ben::texts);
        assertEquals(0, bus.slowCalls.get(), "the join's reads did not fail as arranged");
        JsonObject joined = ben.texts().stream().map(ClusterRepairTest::json).filter(j -> "joined".equals(j.getString("type")))
                .findFirst().orElseThrow();
        assertTrue(joined.getBoolean("recovered"), ben.texts().toString());
        assertEquals(epoch, joined.getString("epoch"));
        assertFalse(b.room("storm").isLocal());
    }

    private TestTransport member(Hub hub, String user, String room) {
        TestTransport t = TestTransport.async(fixture.completer);
        assertTrue(hub.join(hub.open(t, user, "/ws", false), "j", room, null, null));
        return t;
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    /** Frames of {@code type} in {@code room} (null: any room). */
    private static long count(TestTransport t, String type, String room) {
        return t.texts().stream().map(ClusterRepairTest::json).filter(j -> type.equals(j.getString("type"))
                && (room == null || room.equals(j.getString("room", null)))).count();
    }

    /** The times {@code t}'s member of {@code room} was told to resynchronize ({@code joined} not answering a join). */
    private static long told(TestTransport t, String room) {
        return t.texts().stream().map(ClusterRepairTest::json).filter(j -> "joined".equals(j.getString("type"))
                && room.equals(j.getString("room", null)) && !j.containsKey("re")).count();
    }
}
