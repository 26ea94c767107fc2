package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.protocol.ClientMessage;
import dev.switchboard.security.Caller;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine asks the application's {@link RoomRules} before a join and a publication of the rooms they govern, tells
 * them of every leave, and leaves the other rooms alone: refusals answered with the rules' code and details, the
 * connection kept; transformed publications delivered and recorded as transformed.
 */
class RoomRulesTest {

    private final ExecutorService writers = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final Hub hub = new Hub(HubTest.settings(100, Duration.ZERO, Duration.ZERO), writers, timers, e -> { },
            List.of());
    private final List<String> asked = new CopyOnWriteArrayList<>();

    /** Governs {@code orders:*}: joins only by "ann", publications must be objects and get the publisher stamped. */
    private final RoomRules orders = new RoomRules() {
        @Override
        public boolean governs(String room) {
            return room.startsWith("orders:");
        }

        @Override
        public Verdict join(Caller caller, String connection, String room) {
            asked.add("join " + caller.name() + " " + room);
            return caller.name().equals("ann") ? new Allowed(null)
                    : new Refused("not_on_order", "not your order", Map.of("room", "not yours"));
        }

        @Override
        public Verdict publish(Caller caller, String connection, String room, JsonValue data) {
            asked.add("publish " + caller.name() + " " + room);
            if (data.getValueType() != JsonValue.ValueType.OBJECT) {
                return new Refused("invalid", "an object, please", Map.of("data", "not an object"));
            }
            return new Allowed(Json.createObjectBuilder(data.asJsonObject()).add("by", caller.name()).build());
        }

        @Override
        public void left(Caller caller, String connection, String room) {
            asked.add("left " + caller.name() + " " + room);
        }
    };

    @AfterEach
    void stop() {
        writers.shutdownNow();
        timers.shutdownNow();
    }

    private static List<JsonObject> ofType(TestTransport t, String type) {
        return t.texts().stream().map(HubTest::json).filter(j -> type.equals(j.getString("type"))).toList();
    }

    @Test
    void aRefusedJoinIsAnsweredWithTheRulesCodeAndDetailsAndTheConnectionGoesOn() throws Exception {
        hub.ruleRoomsWith(orders);
        TestTransport bob = TestTransport.inline();
        Connection c = hub.open(bob, "bob", "/ws", false);
        assertFalse(hub.join(c, "j1", "orders:7", null, null));
        HubTest.within(Duration.ofSeconds(5), () -> ofType(bob, "error").size() == 1, () -> bob.frames);
        JsonObject error = ofType(bob, "error").get(0);
        assertEquals("j1", error.getString("re"));
        assertEquals("not_on_order", error.getString("code"));
        assertEquals("not yours", error.getJsonObject("details").getString("room"));
        assertTrue(hub.join(c, "j2", "lobby", null, null), "a room the rules do not govern: as without them");
        assertEquals(List.of("join bob orders:7"), asked, "the rules were not asked about lobby");
        assertFalse(c.isClosing());
    }

    @Test
    void publicationsGoOutAsTheRulesMadeThemOrAreRefusedWithTheirCode() throws Exception {
        hub.ruleRoomsWith(orders);
        TestTransport ann = TestTransport.inline();
        Connection c = hub.open(ann, "ann", "/ws", false);
        assertTrue(hub.join(c, "j", "orders:7", null, null));
        hub.dispatch(c, new ClientMessage.Publish("p1", "orders:7", Json.createObjectBuilder().add("note", "hi").build(), null, null));
        hub.dispatch(c, new ClientMessage.Publish("p2", "orders:7", Json.createValue("a string"), null, null));
        hub.dispatch(c, new ClientMessage.Publish("p3", "orders:7", Json.createObjectBuilder().build(), null, null));
        HubTest.within(Duration.ofSeconds(5), () -> ofType(ann, "message").size() == 2 && ofType(ann, "error").size() == 1,
                () -> ann.frames);
        JsonObject message = ofType(ann, "message").get(0);
        assertEquals("ann", message.getJsonObject("data").getString("by"), "delivered as the rules made it");
        assertEquals("hi", message.getJsonObject("data").getString("note"));
        JsonObject refused = ofType(ann, "error").get(0);
        assertEquals("p2", refused.getString("re"));
        assertEquals("invalid", refused.getString("code"));
        assertEquals(List.of(1, 2), ofType(ann, "ack").stream().map(a -> a.getInt("offset")).toList(),
                "the refused one was neither acknowledged nor recorded");
    }

    @Test
    void theRulesAreToldOfEveryLeaveByLeaveAndByClose() throws Exception {
        hub.ruleRoomsWith(orders);
        Connection first = hub.open(TestTransport.inline(), "ann", "/ws", false);
        Connection second = hub.open(TestTransport.inline(), "ann", "/ws", false);
        hub.join(first, "j", "orders:1", null, null);
        hub.join(second, "j", "orders:2", null, null);
        hub.join(second, "j", "lobby", null, null);
        hub.dispatch(first, new ClientMessage.Leave("l", "orders:1"));
        hub.closed(second, 1001, "going away");
        assertEquals(List.of("join ann orders:1", "join ann orders:2", "left ann orders:1", "left ann orders:2"), asked);
    }

    @Test
    void withoutRulesNothingIsAsked() throws Exception {
        TestTransport ann = TestTransport.inline();
        Connection c = hub.open(ann, "ann", "/ws", false);
        assertTrue(hub.join(c, "j", "orders:7", null, null));
        hub.dispatch(c, new ClientMessage.Publish("p1", "orders:7", Json.createValue("as is"), null, null));
        HubTest.within(Duration.ofSeconds(5), () -> ofType(ann, "message").size() == 1, () -> ann.frames);
        assertEquals("as is", ofType(ann, "message").get(0).getString("data"));
    }
}
