package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Switchboard;
import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three engines sharing rooms through the in-process bus ({@link MemoryBus}): the ordering contract across nodes, gap
 * fills, epoch resets, presence, recovery from the shared log, outages — and, in every test, no store call under a
 * room's lock or on the thread that delivers publications in order.
 */
class ClusterEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private final EngineFixture fixture = new EngineFixture();
    private final MemoryBus bus = new MemoryBus(fixture);
    /**
     * Queues hold a whole burst (3 × 100 publications): with the fixture's bound of 100, a member whose sends complete
     * slowly on the shared completer was closed as a slow consumer (4008) mid-burst — seen twice in full unit runs
     * (delivered 104 of 300 on two nodes, every thread idle) — which is not what these tests are about.
     */
    private final Settings settings = EngineFixture.settings().queue(1000)
            .room(new RoomPolicy(100, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0)).build();
    private final Hub a = bus.node("a", settings);
    private final Hub b = bus.node("b", settings);
    private final Hub c = bus.node("c", settings);

    @AfterEach
    void stop() {
        bus.close();
        fixture.close();
        assertEquals(List.of(), bus.violations, "store calls under a room's lock or on a delivery thread");
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static List<JsonObject> ofType(TestTransport t, String type) {
        return t.texts().stream().map(ClusterEngineTest::json).filter(j -> type.equals(j.getString("type"))).toList();
    }

    private static List<Long> offsets(TestTransport t, String room) {
        return ofType(t, "message").stream().filter(m -> room.equals(m.getString("room")))
                .map(m -> m.getJsonNumber("offset").longValue()).toList();
    }

    private static List<Long> oneTo(long n) {
        List<Long> all = new ArrayList<>();
        for (long i = 1; i <= n; i++) {
            all.add(i);
        }
        return all;
    }

    private TestTransport member(Hub hub, String user, String room) {
        TestTransport t = TestTransport.async(fixture.completer);
        Connection connection = hub.open(t, user, "/ws", false);
        assertTrue(hub.join(connection, "j", room, null, null));
        return t;
    }

    /** Another node's publication, straight into the shared log. */
    private void appendElsewhere(String room, int value) {
        bus.log().append(room, settings.policyFor(room), "{\"from\":\"elsewhere\",\"ts\":" + System.currentTimeMillis()
                + ",\"data\":" + value + "}");
    }

    /**
     * A node hears the rooms it has, not every room: publications of a room with members on A only reach A; a node
     * that publishes into a room of its own follows it (its publication comes back to it), and a retired room is
     * no longer heard.
     */
    @Test
    void aNodeHearsOnlyTheRoomsItHas() throws Exception {
        TestTransport onA = member(a, "ann", "north");
        TestTransport onB = member(b, "ben", "south");
        for (int i = 0; i < 20; i++) {
            appendElsewhere("north", i);
            appendElsewhere(i % 2 == 0 ? "south" : "west", i); // west: no node has it
        }
        EngineFixture.within(WAIT, () -> offsets(onA, "north").size() == 20 && offsets(onB, "south").size() == 10,
                () -> offsets(onA, "north") + " " + offsets(onB, "south"));
        assertEquals(20, bus.inbound.get("a").get(), "A heard north only");
        assertEquals(10, bus.inbound.get("b").get(), "B heard south only");
        assertEquals(null, bus.inbound.get("c"), "C has no room: it heard nothing");

        c.publish("east", Json.createValue(1)); // a room of C's own, without members: C follows it
        EngineFixture.within(WAIT, () -> bus.inbound.containsKey("c") && bus.inbound.get("c").get() == 1,
                () -> "C heard " + bus.inbound.get("c"));
        assertEquals(20, bus.inbound.get("a").get(), "A did not hear east");
        assertTrue(bus.violations.isEmpty(), bus.violations.toString());
    }

    /** A publish retried on another node with the same key (a client that reconnected elsewhere) lands once. */
    @Test
    void aKeyedPublishRetriedOnAnotherNodeLandsOnce() throws Exception {
        List<TestTransport> members = List.of(member(a, "ann", "orders"), member(b, "ben", "orders"), member(c, "cy", "orders"));
        Connection onA = a.open(TestTransport.inline(), "pat", "/ws", false);
        Connection onB = b.open(TestTransport.inline(), "pat", "/ws", false);
        assertTrue(a.join(onA, "j", "orders", null, null) && b.join(onB, "j", "orders", null, null));
        a.dispatch(onA, new dev.switchboard.protocol.ClientMessage.Publish("p", "orders", Json.createValue("once"), "k-9", null));
        b.dispatch(onB, new dev.switchboard.protocol.ClientMessage.Publish("p", "orders", Json.createValue("once"), "k-9", null));
        b.dispatch(onB, new dev.switchboard.protocol.ClientMessage.Publish("q", "orders", Json.createValue("next"), "k-10", null));
        for (TestTransport t : members) {
            EngineFixture.within(WAIT, () -> offsets(t, "orders").size() >= 2, () -> offsets(t, "orders"));
            assertEquals(List.of(1L, 2L), offsets(t, "orders"));
            assertEquals(List.of("\"once\"", "\"next\""), ofType(t, "message").stream().map(m -> m.get("data").toString())
                    .toList(), "the retry published nothing: next comes right after once");
        }
    }

    @Test
    void everyNodeDeliversEveryPublicationOnceInOffsetOrder() throws Exception {
        List<TestTransport> members = List.of(member(a, "ann", "ledger"), member(b, "ben", "ledger"), member(c, "cy", "ledger"));
        ExecutorService publishers = Executors.newFixedThreadPool(3);
        List<Future<?>> done = new ArrayList<>();
        for (Hub hub : List.of(a, b, c)) {
            done.add(publishers.submit(() -> {
                for (int i = 0; i < 100; i++) {
                    hub.publish("ledger", Json.createValue(i));
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(10, TimeUnit.SECONDS);
        }
        publishers.shutdown();
        for (TestTransport t : members) {
            EngineFixture.within(WAIT, () -> offsets(t, "ledger").size() >= 300, () -> members.stream()
                    .map(m -> offsets(m, "ledger").size() + " delivered, " + m.frames.size() + " frames, closed with "
                            + m.closedWith.getNow(null))
                    .toList() + ", log at " + bus.log().position("ledger") + EngineFixture.threads());
            assertEquals(oneTo(300), offsets(t, "ledger"), "every offset once, in order");
        }
        Set<String> epochs = members.stream().flatMap(t -> ofType(t, "message").stream())
                .map(m -> m.getString("epoch")).collect(Collectors.toSet());
        assertEquals(1, epochs.size(), "one epoch on every node");
    }

    @Test
    void aDeliveryMissedByOneNodeIsFilledFromTheLogInOrder() throws Exception {
        TestTransport onB = member(b, "ben", "gaps");
        TestTransport onC = member(c, "cy", "gaps");
        bus.lose = d -> d.equals("c gaps 3") || d.equals("c gaps 4");
        for (int i = 1; i <= 6; i++) {
            a.publish("gaps", Json.createValue(i));
        }
        EngineFixture.within(WAIT, () -> offsets(onC, "gaps").size() == 6, () -> offsets(onC, "gaps"));
        assertEquals(oneTo(6), offsets(onC, "gaps"), "3 and 4 filled from the log, before 5 and 6");
        EngineFixture.within(WAIT, () -> offsets(onB, "gaps").size() == 6, () -> offsets(onB, "gaps"));
        assertEquals(oneTo(6), offsets(onB, "gaps"));
        assertTrue(ofType(onC, "joined").stream().noneMatch(j -> j.containsKey("recovered")),
                "a filled gap needs no resynchronization");
    }

    @Test
    void aHungStoreHoldsNeitherTheRoomNorTheDeliveryThread() throws Exception {
        TestTransport slowRoom = member(b, "ben", "slow");
        TestTransport otherRoom = member(b, "ben2", "other");
        bus.lose = d -> d.equals("b slow 2");
        appendElsewhere("slow", 1);
        EngineFixture.within(WAIT, () -> offsets(slowRoom, "slow").size() == 1, () -> offsets(slowRoom, "slow"));
        CountDownLatch hung = new CountDownLatch(1);
        bus.stall = hung; // Redis hangs (SIGSTOP): every store call waits
        appendElsewhere("slow", 2); // lost on b
        appendElsewhere("slow", 3); // b sees the gap: the fill waits for the hung store
        // the fill waits for the hung store (another background call, e.g. a presence refresh, may be waiting too:
        // every store call hangs)
        EngineFixture.within(WAIT, () -> bus.stalled.get() >= 1, () -> "no fill started: " + bus.stalled.get());
        appendElsewhere("other", 1);
        // the delivery thread is free: another room's publication arrives while the fill waits
        EngineFixture.within(WAIT, () -> offsets(otherRoom, "other").size() == 1, () -> otherRoom.texts());
        // the room's lock is free: a presence query and a leave answer while the fill waits
        ExecutorService asker = Executors.newSingleThreadExecutor(); // the background threads may all wait for the store
        try {
            Future<List<Switchboard.Member>> who = asker.submit(() -> b.presence("slow"));
            assertEquals(Set.of("ben"), who.get(2, TimeUnit.SECONDS).stream().map(Switchboard.Member::user)
                    .collect(Collectors.toSet()));
        } finally {
            asker.shutdownNow();
        }
        assertEquals(List.of(1L), offsets(slowRoom, "slow"), "3 waits for 2");
        bus.stall = null;
        hung.countDown();
        EngineFixture.within(WAIT, () -> offsets(slowRoom, "slow").size() == 3, () -> offsets(slowRoom, "slow"));
        assertEquals(oneTo(3), offsets(slowRoom, "slow"));
    }

    @Test
    void aGapTheLogNoLongerHoldsTellsMembersToResynchronizeBeforeTheNextMessage() throws Exception {
        TestTransport onB = member(b, "ben", "trim");
        bus.lose = d -> d.startsWith("b trim ") && !d.equals("b trim 1") && !d.equals("b trim 150");
        for (int i = 1; i <= 150; i++) { // history size 100: 2..49 are trimmed by the time b sees 150
            appendElsewhere("trim", i);
        }
        EngineFixture.within(WAIT, () -> offsets(onB, "trim").contains(150L), () -> offsets(onB, "trim"));
        List<JsonObject> frames = onB.texts().stream().map(ClusterEngineTest::json).toList();
        int told = -1;
        for (int i = 0; i < frames.size(); i++) {
            if ("joined".equals(frames.get(i).getString("type")) && !frames.get(i).containsKey("re")) {
                told = i;
            }
        }
        assertTrue(told >= 0, "members are told: " + frames);
        assertFalse(frames.get(told).getBoolean("recovered"));
        assertEquals(149, frames.get(told).getJsonNumber("offset").longValue());
        assertEquals(List.of(1L, 150L), offsets(onB, "trim"), "never a silent gap, never a duplicate");
    }

    @Test
    void aResetTellsMembersOnEveryNodeBeforeTheNewEpoch() throws Exception {
        TestTransport onA = member(a, "ann", "reset");
        TestTransport onC = member(c, "cy", "reset");
        a.publish("reset", Json.createValue(1));
        EngineFixture.within(WAIT, () -> offsets(onC, "reset").size() == 1, () -> onC.texts());
        String before = ofType(onC, "message").get(0).getString("epoch");
        String epoch = bus.log().reset("reset").epoch(); // a node that published alone during an outage came back
        b.publish("reset", Json.createValue(2));
        for (TestTransport t : List.of(onA, onC)) {
            EngineFixture.within(WAIT, () -> offsets(t, "reset").size() == 2, () -> t.texts());
            List<JsonObject> frames = t.texts().stream().map(ClusterEngineTest::json).toList();
            JsonObject told = frames.stream().filter(j -> "joined".equals(j.getString("type")) && !j.containsKey("re"))
                    .findFirst().orElseThrow(() -> new AssertionError("not told: " + frames));
            JsonObject after = ofType(t, "message").get(1);
            assertTrue(frames.indexOf(told) < frames.indexOf(after), "told before the message of the new epoch");
            assertEquals(epoch, told.getString("epoch"));
            assertEquals(epoch, after.getString("epoch"));
            assertNotEquals(before, epoch);
        }
    }

    @Test
    void aJoinerRecoversFromTheSharedLogWhatItsNodeNeverHeld() throws Exception {
        TestTransport onA = member(a, "ann", "history");
        for (int i = 1; i <= 5; i++) {
            a.publish("history", Json.createValue(i));
        }
        EngineFixture.within(WAIT, () -> offsets(onA, "history").size() == 5, () -> onA.texts());
        String epoch = ofType(onA, "message").get(0).getString("epoch");
        // c never followed the room: it learns the position and fetches 3..5 before taking the room's lock
        TestTransport late = TestTransport.async(fixture.completer);
        Connection connection = c.open(late, "late", "/ws", false);
        assertTrue(c.join(connection, "j", "history", epoch, 2L));
        EngineFixture.within(WAIT, () -> offsets(late, "history").size() == 3, () -> late.texts());
        JsonObject joined = ofType(late, "joined").get(0);
        assertTrue(joined.getBoolean("recovered"));
        assertEquals(List.of(3L, 4L, 5L), offsets(late, "history"));
        a.publish("history", Json.createValue(6));
        EngineFixture.within(WAIT, () -> offsets(late, "history").size() == 4, () -> late.texts());
        assertEquals(List.of(3L, 4L, 5L, 6L), offsets(late, "history"));
    }

    @Test
    void presenceSpansTheNodes() throws Exception {
        member(a, "ann", "lobby");
        member(b, "ben", "lobby");
        TestTransport onC = member(c, "cy", "lobby");
        EngineFixture.within(WAIT, () -> c.presence("lobby").size() == 3, () -> c.presence("lobby"));
        assertEquals(Set.of("ann", "ben", "cy"), c.presence("lobby").stream().map(Switchboard.Member::user)
                .collect(Collectors.toSet()));
        EngineFixture.within(WAIT, () -> ofType(onC, "presence_diff").size() + ofType(onC, "joined").size() >= 1, () -> onC.texts());
    }

    @Test
    void anOutageGoesOnLocallyThenResetsTheSharedLogForEveryone() throws Exception {
        TestTransport onA = member(a, "ann", "outage");
        TestTransport onB = member(b, "ben", "outage");
        a.publish("outage", Json.createValue(1));
        for (TestTransport t : List.of(onA, onB)) {
            EngineFixture.within(WAIT, () -> offsets(t, "outage").size() == 1, () -> t.texts());
        }
        bus.unreachable = true;
        a.publish("outage", Json.createValue(2)); // delivered on a alone, under an epoch of its own
        EngineFixture.within(WAIT, () -> offsets(onA, "outage").size() == 2, () -> onA.texts());
        assertTrue(a.room("outage").isLocal());
        String shared = ofType(onB, "message").get(0).getString("epoch");
        String alone = ofType(onA, "message").get(1).getString("epoch");
        assertNotEquals(shared, alone);
        // a's member is told of the change of log before the first local publication: never a silent new epoch
        List<JsonObject> seenOnA = onA.texts().stream().map(ClusterEngineTest::json)
                .filter(j -> "message".equals(j.getString("type")) || ("joined".equals(j.getString("type")) && !j.containsKey("re")))
                .toList();
        assertEquals(3, seenOnA.size(), "message 1, joined, message 2: " + seenOnA);
        assertEquals("joined", seenOnA.get(1).getString("type"));
        assertEquals(alone, seenOnA.get(1).getString("epoch"));
        assertFalse(seenOnA.get(1).getBoolean("recovered"));
        assertEquals(seenOnA.get(1).getJsonNumber("offset").longValue() + 1, seenOnA.get(2).getJsonNumber("offset").longValue());
        bus.reachableAgain();
        // every member is told to resynchronize (a reset the shared log; b hears it) before the next publication
        for (TestTransport t : List.of(onA, onB)) {
            long before = t == onA ? 1 : 0;
            EngineFixture.within(WAIT, () -> t.texts().stream().map(ClusterEngineTest::json)
                    .filter(j -> "joined".equals(j.getString("type")) && !j.containsKey("re")).count() > before, () -> t.texts());
        }
        assertFalse(a.room("outage").isLocal());
        a.publish("outage", Json.createValue(3));
        for (TestTransport t : List.of(onA, onB)) {
            EngineFixture.within(WAIT, () -> ofType(t, "message").stream().anyMatch(m -> m.getInt("data") == 3), () -> t.texts());
            JsonObject last = ofType(t, "message").get(ofType(t, "message").size() - 1);
            JsonObject told = t.texts().stream().map(ClusterEngineTest::json)
                    .filter(j -> "joined".equals(j.getString("type")) && !j.containsKey("re")).reduce((x, y) -> y)
                    .orElseThrow(() -> new AssertionError("not told to resynchronize: " + t.texts()));
            assertEquals(told.getString("epoch"), last.getString("epoch"), "the new epoch, announced before its message: "
                    + t.texts());
            assertNotEquals(shared, last.getString("epoch"));
        }
    }
}
