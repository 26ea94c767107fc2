package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Switchboard;
import dev.switchboard.config.Settings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Occupancy: how many users are in a room and with how many connections, on every node — counted from the room's
 * presence where the room is, and from what the other nodes recorded where it is not.
 */
class OccupancyTest {

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

    private static void member(Hub hub, EngineFixture fixture, String user, String room) {
        Connection c = hub.open(TestTransport.async(fixture.completer), user, "/ws", false);
        assertTrue(hub.join(c, "j", room, null, null));
    }

    @Test
    void aRoomOfOneNodeCountsUsersAndTheirConnections() {
        Hub hub = new Hub(settings, fixture.writers, fixture.timers, e -> { }, List.of());
        try {
            member(hub, fixture, "ann", "stadium");
            member(hub, fixture, "ann", "stadium");
            member(hub, fixture, "bob", "stadium");
            assertEquals(new Switchboard.Occupancy("stadium", 2, 3), hub.occupancy("stadium"));
            assertEquals(new Switchboard.Occupancy("empty", 0, 0), hub.occupancy("empty"), "no such room: nobody");
        } finally {
            hub.shutdown();
        }
    }

    @Test
    void everyNodeCountsTheWholeRoomEvenWithoutIt() throws Exception {
        Hub a = bus.node("a", settings);
        Hub b = bus.node("b", settings);
        Hub c = bus.node("c", settings);
        member(a, fixture, "ann", "arena");
        member(a, fixture, "ann", "arena");
        member(b, fixture, "bob", "arena");
        member(b, fixture, "ann", "arena");
        Switchboard.Occupancy everyone = new Switchboard.Occupancy("arena", 2, 4);
        EngineFixture.within(WAIT, () -> everyone.equals(a.occupancy("arena")) && everyone.equals(b.occupancy("arena")),
                () -> a.occupancy("arena") + " / " + b.occupancy("arena"));
        assertEquals(everyone, c.occupancy("arena"), "C never had the room: the other nodes' records answer");
    }
}
