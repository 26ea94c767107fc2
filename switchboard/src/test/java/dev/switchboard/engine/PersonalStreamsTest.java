package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Switchboard;
import dev.switchboard.config.Settings;
import dev.switchboard.protocol.ClientMessage;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Personal streams: a recoverable direct message lands in the recipient's stream ({@code user:<name>}) whether or not
 * the recipient is connected, with an offset; only its owner joins it or reads its history; nobody publishes into it
 * but the server; and it is recovered on another node after a reconnect, as any room's log.
 */
class PersonalStreamsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private final EngineFixture fixture = new EngineFixture();
    private final MemoryBus bus = new MemoryBus(fixture);
    private final Settings settings = EngineFixture.settings().queue(1000).build();

    @AfterEach
    void stop() {
        bus.close();
        fixture.close();
        assertEquals(List.of(), bus.violations, "store calls under a room's lock or on a delivery thread");
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static JsonObject last(TestTransport t, String type) throws InterruptedException {
        EngineFixture.within(WAIT, () -> t.texts().stream().anyMatch(s -> type.equals(json(s).getString("type"))), t::texts);
        List<JsonObject> all = t.texts().stream().map(PersonalStreamsTest::json).filter(j -> type.equals(j.getString("type"))).toList();
        return all.get(all.size() - 1);
    }

    /** The answer to the message with id {@code re} (waited for, bounded). */
    private static JsonObject answer(TestTransport t, String re) throws InterruptedException {
        EngineFixture.within(WAIT, () -> t.texts().stream().anyMatch(s -> re.equals(json(s).getString("re", null))), t::texts);
        return t.texts().stream().map(PersonalStreamsTest::json).filter(j -> re.equals(j.getString("re", null))).findFirst()
                .orElseThrow();
    }

    @Test
    void aRecoverableSendWaitsInTheOwnersStreamAndOnlyTheOwnerReadsIt() throws Exception {
        Hub hub = new Hub(settings, fixture.writers, fixture.timers, e -> { }, List.of());
        try {
            TestTransport bobSide = TestTransport.async(fixture.completer);
            Connection bob = hub.open(bobSide, "bob", "/ws", false);
            hub.dispatch(bob, new ClientMessage.Send("s1", "ann", Json.createValue("kept for ann"), true));
            JsonObject ack = answer(bobSide, "s1");
            assertEquals("user:ann", ack.getString("room"), "ann is not connected: kept in her stream");
            assertEquals(1, ack.getInt("offset"));
            hub.dispatch(bob, new ClientMessage.Join("j", "user:ann", null, 10, null));
            assertEquals("forbidden", answer(bobSide, "j").getString("code"), "bob may not join ann's stream");
            hub.dispatch(bob, new ClientMessage.HistoryQuery("h", "user:ann", null, null, null, null));
            assertEquals("forbidden", answer(bobSide, "h").getString("code"), "nor read its history");

            TestTransport annSide = TestTransport.async(fixture.completer);
            Connection ann = hub.open(annSide, "ann", "/ws", false);
            hub.dispatch(ann, new ClientMessage.Join("j", "user:ann", null, 10, null));
            JsonObject message = last(annSide, "message");
            assertEquals("kept for ann", message.getString("data"));
            assertEquals("bob", message.getString("from"));
            hub.dispatch(ann, new ClientMessage.Publish("p", "user:ann", Json.createValue("mine"), null, null));
            assertEquals("forbidden", answer(annSide, "p").getString("code"), "nobody publishes into a stream but the server");

            Switchboard.Publication pushed = hub.sendToUserStream("ann", Json.createValue("from the server"));
            assertEquals("user:ann", pushed.room());
            assertEquals(2, pushed.offset());
            EngineFixture.within(WAIT, () -> annSide.texts().stream().anyMatch(s -> s.contains("from the server")), annSide::texts);
            assertThrows(IllegalArgumentException.class, () -> hub.sendToUserStream("ann smith", Json.createValue(1)),
                    "a name that cannot name a room has no stream");

            TestTransport guestSide = TestTransport.async(fixture.completer);
            Connection guest = hub.open(guestSide, null, "/ws", false);
            hub.dispatch(guest, new ClientMessage.Join("g", "user:" + guest.user(), null, null, null));
            assertEquals("forbidden", answer(guestSide, "g").getString("code"), "guests have no stream");
        } finally {
            hub.shutdown();
        }
    }

    @Test
    void aStreamIsRecoveredOnAnotherNode() throws Exception {
        Hub a = bus.node("a", settings);
        Hub b = bus.node("b", settings);
        TestTransport first = TestTransport.async(fixture.completer);
        Connection onA = a.open(first, "ann", "/ws", false);
        a.dispatch(onA, new ClientMessage.Join("j", "user:ann", null, null, null));
        JsonObject joined = last(first, "joined");
        a.dispatch(a.open(TestTransport.async(fixture.completer), "bob", "/ws", false),
                new ClientMessage.Send("s", "ann", Json.createValue("one"), true));
        EngineFixture.within(WAIT, () -> first.texts().stream().anyMatch(s -> s.contains("\"one\"")), first::texts);
        a.closed(onA, 1001, "gone"); // ann goes away; two more arrive meanwhile, one sent on B
        b.dispatch(b.open(TestTransport.async(fixture.completer), "bob", "/ws", false),
                new ClientMessage.Send("s", "ann", Json.createValue("two"), true));
        a.sendToUserStream("ann", Json.createValue("three"));
        TestTransport back = TestTransport.async(fixture.completer);
        Connection onB = b.open(back, "ann", "/ws", false);
        b.dispatch(onB, new ClientMessage.Join("j", "user:ann", new ClientMessage.Since(joined.getString("epoch"), 1L), null, null));
        JsonObject rejoined = last(back, "joined");
        assertTrue(rejoined.getBoolean("recovered"), rejoined.toString());
        EngineFixture.within(WAIT, () -> back.texts().stream().filter(s -> s.contains("\"message\"")).count() == 2, back::texts);
        List<String> recovered = back.texts().stream().map(PersonalStreamsTest::json)
                .filter(j -> "message".equals(j.getString("type"))).map(j -> j.getString("data")).toList();
        assertEquals(List.of("two", "three"), recovered, "what was missed, in order, on the other node");
        assertFalse(back.texts().stream().anyMatch(s -> s.contains("\"one\"")), "nothing twice");
    }
}
