package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import dev.switchboard.telemetry.HealthChecks;
import dev.switchboard.telemetry.NodeMetrics;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the operations surfaces read and do, on engines sharing rooms through the in-process bus. */
class OperationsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private final EngineFixture fixture = new EngineFixture();
    private final MemoryBus bus = new MemoryBus(fixture);
    private final Settings settings = EngineFixture.settings().queue(1000)
            .room(new RoomPolicy(100, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0)).build();
    private final NodeMetrics metricsOfA = new NodeMetrics();
    private final Hub a = bus.node("a", settings, Tracing.OFF, metricsOfA);
    private final HealthChecks healthOfA = new HealthChecks(a.state(), metricsOfA, a.sweepInterval());
    private final Hub b = bus.node("b", settings);

    @AfterEach
    void stop() {
        bus.close();
        fixture.close();
        assertEquals(List.of(), bus.violations, "store calls under a room's lock or on a delivery thread");
    }

    private static List<JsonObject> ofType(TestTransport t, String type) {
        return t.texts().stream().map(s -> Json.createReader(new StringReader(s)).readObject())
                .filter(j -> type.equals(j.getString("type"))).toList();
    }

    @Test
    void aRemovalAskedOfOneNodeRemovesTheUserFromTheRoomOnEveryNodeAndTellsIt() throws Exception {
        TestTransport onA = TestTransport.async(fixture.completer);
        Connection kimOnA = a.open(onA, "kim", "/ws", false);
        TestTransport onB = TestTransport.async(fixture.completer);
        Connection kimOnB = b.open(onB, "kim", "/ws", false);
        Connection lee = b.open(TestTransport.inline(), "lee", "/ws", false);
        for (var joined : List.of(a.join(kimOnA, "j", "ops", null, null), b.join(kimOnB, "j", "ops", null, null),
                b.join(lee, "j", "ops", null, null))) {
            assertTrue(joined);
        }

        assertEquals(1, b.admin().removeFromRoom("ops", "kim"), "kim's connection on b");
        EngineFixture.within(WAIT, () -> !ofType(onA, "left").isEmpty() && !ofType(onB, "left").isEmpty(),
                () -> onA.texts() + " / " + onB.texts());
        for (TestTransport t : List.of(onA, onB)) {
            JsonObject left = ofType(t, "left").get(0);
            assertEquals("ops", left.getString("room"));
            assertFalse(left.containsKey("re"), "a removal is not an answer: " + left);
        }
        EngineFixture.within(WAIT, () -> a.admin().roomView("ops").orElseThrow().connections() == 0,
                () -> a.admin().roomView("ops"));
        assertEquals(1, b.admin().roomView("ops").orElseThrow().connections(), "lee stays");
        EngineFixture.within(WAIT, () -> b.admin().roomView("ops").orElseThrow().members().stream()
                .map(dev.switchboard.Switchboard.Member::user).toList().equals(List.of("lee")), () -> b.admin().roomView("ops"));
    }

    @Test
    void aUsersConnectionsOnEveryNodeAreShownInDetail() throws Exception {
        Connection one = a.open(TestTransport.inline(), "max", "/ws", false);
        a.open(TestTransport.inline(), "max", "/ws", false);
        b.open(TestTransport.inline(), "max", "/ws", false);
        assertTrue(a.join(one, "j", "seen", null, null));
        NodeAdmin.UserView view = a.admin().user("max");
        assertEquals(3, view.connections().size(), "every node's, in detail: " + view);
        assertEquals(List.of("a", "a", "b"), view.connections().stream().map(NodeAdmin.ConnectionView::node).toList());
        assertEquals(Map.of("a", 2, "b", 1), view.byNode());
        assertEquals(List.of(), view.unanswered());
        NodeAdmin.ConnectionView first = view.connections().stream().filter(c -> c.id().equals(one.id())).findFirst().orElseThrow();
        assertEquals(List.of("seen"), first.rooms());
        assertEquals("ok", first.state());
        assertTrue(view.clusterAnswered());
    }

    @Test
    void aDrainedNodeIsNotReadyAndRefusesNewConnectionsUntilItResumes() {
        assertTrue(healthOfA.readiness().stream().allMatch(HealthChecks.Check::up), healthOfA.readiness().toString());
        a.admin().drain(true);
        assertFalse(a.sessions().admitting(), "transports refuse new sockets");
        HealthChecks.Check engine = healthOfA.readiness().stream().filter(c -> c.name().equals("switchboard-engine")).findFirst().orElseThrow();
        assertFalse(engine.up());
        assertEquals(true, engine.data().get("draining"));
        assertTrue(b.sessions().admitting(), "the other node is not drained");
        a.admin().drain(false);
        assertTrue(a.sessions().admitting());
        assertTrue(healthOfA.readiness().stream().allMatch(HealthChecks.Check::up));
    }

    @Test
    void aReconnectClosesEveryConnectionOfThisNodeWith1012AndLeavesTheOtherNodes() throws Exception {
        TestTransport first = TestTransport.async(fixture.completer);
        Connection kim = a.open(first, "kim", "/ws", false);
        TestTransport second = TestTransport.async(fixture.completer);
        a.open(second, "lee", "/ws", false);
        TestTransport elsewhere = TestTransport.async(fixture.completer);
        b.open(elsewhere, "kim", "/ws", false);
        assertTrue(a.join(kim, "j", "news", null, null));

        assertEquals(2, a.admin().reconnectAll(), "both of a's connections");
        assertEquals(1012, first.closedWith.get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(1012, second.closedWith.get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(1, ofType(first, "joined").size(), "what was queued went out before the close: " + first.texts());
        assertFalse(elsewhere.closedWith.isDone(), "the other node's connections stay");
        assertEquals(0, a.admin().reconnectAll(), "closing ones are not asked again");
        assertTrue(a.sessions().admitting(), "a reconnect is not a drain: the clients may come back here");
    }

    @Test
    void theFirstMessageTimeoutCountsFromTheWelcomesSendNotFromTheOpen() throws Exception {
        Hub c = bus.node("c", EngineFixture.settings().firstMessage(Duration.ofMillis(300)).build());
        TestTransport heard = TestTransport.inline();
        c.open(heard, "kim", "/ws", true);
        TestTransport unwelcomed = TestTransport.stalled(); // its welcome never leaves: the writers' backlog, a storm
        Connection lee = c.open(unwelcomed, "lee", "/ws", true);
        EngineFixture.within(WAIT, () -> {
            c.sweep();
            return heard.closedWith.isDone();
        }, heard::texts);
        assertEquals(1013, heard.closedWith.get(), "silent after its welcome: closed, to try again later");
        assertFalse(lee.isClosing(), "not closed for silence before it was welcomed: " + unwelcomed.texts());
    }

    @Test
    void theNodeIsLiveWhileItsSweepAndWritersRun() throws Exception {
        a.sweep();
        EngineFixture.within(WAIT, () -> healthOfA.liveness().stream().allMatch(HealthChecks.Check::up), healthOfA::liveness);
        assertEquals(List.of("switchboard-writers", "switchboard-sweep"), healthOfA.liveness().stream().map(HealthChecks.Check::name).toList());
    }
}
