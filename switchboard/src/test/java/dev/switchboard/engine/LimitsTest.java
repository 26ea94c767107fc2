package dev.switchboard.engine;

import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.CloseCodes;
import dev.switchboard.protocol.ClientMessage;
import jakarta.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Origins, the rate limit and the connection, room and membership bounds. */
class LimitsTest {

    private final ExecutorService writers = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        writers.shutdownNow();
        timers.shutdownNow();
    }

    @Test
    void theRateLimitAllowsTheBurstRefusesTheRestThenCloses() {
        RateLimiter limiter = new RateLimiter(10, 5, 3, 0);
        for (int i = 0; i < 5; i++) {
            assertEquals(RateLimiter.Verdict.ALLOW, limiter.onMessage(0));
        }
        assertEquals(RateLimiter.Verdict.REFUSE, limiter.onMessage(0));
        assertEquals(RateLimiter.Verdict.ALLOW, limiter.onMessage(100_000_000L), "one token after 100 ms at 10/s");
        assertEquals(RateLimiter.Verdict.REFUSE, limiter.onMessage(100_000_000L));
        assertEquals(RateLimiter.Verdict.REFUSE, limiter.onMessage(100_000_000L));
        assertEquals(RateLimiter.Verdict.CLOSE, limiter.onMessage(100_000_000L), "the fourth strike");
        RateLimiter calm = new RateLimiter(10, 1, 1, 0);
        assertEquals(RateLimiter.Verdict.ALLOW, calm.onMessage(0));
        assertEquals(RateLimiter.Verdict.REFUSE, calm.onMessage(0));
        assertEquals(RateLimiter.Verdict.ALLOW, calm.onMessage(20_000_000_000L));
        assertEquals(RateLimiter.Verdict.REFUSE, calm.onMessage(20_000_000_000L), "strikes are forgotten after 10 s");
    }

    @Test
    void connectionsPerUserRoomsPerConnectionAndMembersPerRoomAreBounded() throws Exception {
        Settings settings = HubTest.settings(100, Duration.ZERO, Duration.ZERO)
                .withLimits(new Settings.Limits(1000, 1000, 10, 2, 2));
        Hub hub = new Hub(settings, writers, timers, e -> { }, List.of());
        assertNotNull(hub.open(TestTransport.inline(), "ann", "/ws", false));
        assertNotNull(hub.open(TestTransport.inline(), "ann", "/ws", false));
        assertNull(hub.open(TestTransport.inline(), "ann", "/ws", false), "a third connection for ann is refused");

        TestTransport t = TestTransport.inline();
        Connection c = hub.open(t, "ben", "/ws", false);
        assertTrue(hub.join(c, "1", "a", null, null));
        assertTrue(hub.join(c, "2", "b", null, null));
        assertFalse(hub.join(c, "3", "c", null, null));
        assertTrue(hub.join(c, "4", "a", null, null), "rejoining a room already joined is not one more");

        assertTrue(hub.join(hub.open(TestTransport.inline(), "u1", "/ws", false), "j", "small:x", null, null));
        assertTrue(hub.join(hub.open(TestTransport.inline(), "u2", "/ws", false), "j", "small:x", null, null));
        TestTransport third = TestTransport.inline();
        assertFalse(hub.join(hub.open(third, "u3", "/ws", false), "j", "small:x", null, null));
        HubTest.within(Duration.ofSeconds(5), () -> third.texts().stream().anyMatch(s -> s.contains("room_full")), () -> third.frames);
        HubTest.within(Duration.ofSeconds(5), () -> t.texts().stream().anyMatch(s -> s.contains("too_many_rooms")), () -> t.frames);
    }

    /**
     * Rooms per node are bounded: a join of one more room gets {@code node_full} (the connection goes on), rooms that
     * exist still take joins and publications, and publishing into one more room through the API is refused.
     */
    @Test
    void roomsPerNodeAreBounded() throws Exception {
        Settings settings = HubTest.settings(100, Duration.ZERO, Duration.ZERO)
                .withLimits(new Settings.Limits(1000, 1000, 10, 10, 10, Duration.ofMinutes(5), 0, 2, 0));
        Hub hub = new Hub(settings, writers, timers, e -> { }, List.of());
        TestTransport t = TestTransport.inline();
        Connection c = hub.open(t, "ann", "/ws", false);
        assertTrue(hub.join(c, "1", "first", null, null));
        assertNotNull(hub.publish("second", Json.createValue(1)), "the API may create the second room");
        assertFalse(hub.join(c, "3", "third", null, null), "a third room on this node is refused");
        HubTest.within(Duration.ofSeconds(5), () -> t.texts().stream().anyMatch(s -> s.contains("node_full")), () -> t.frames);
        assertTrue(hub.join(c, "4", "second", null, null), "rooms that exist still take joins");
        assertEquals(1, hub.publish("first", Json.createValue(2)).offset(), "and publications");
        assertThrows(IllegalStateException.class, () -> hub.publish("third", Json.createValue(3)));
        hub.dispatch(c, new ClientMessage.Ping("still"));
        HubTest.within(Duration.ofSeconds(5), () -> t.texts().stream().anyMatch(s -> s.contains("\"still\"")), () -> t.frames);
    }

    @Test
    void aFloodGetsRateLimitedRepliesThen4029() throws Exception {
        Settings settings = HubTest.settings(1000, Duration.ZERO, Duration.ZERO)
                .withLimits(new Settings.Limits(1, 3, 2, 10, 10));
        Hub hub = new Hub(settings, writers, timers, e -> { }, List.of());
        TestTransport t = TestTransport.inline();
        Connection c = hub.open(t, "flood", "/ws", false);
        for (int i = 0; i < 10; i++) {
            hub.dispatch(c, new ClientMessage.Ping("p" + i));
        }
        assertEquals(CloseCodes.RATE_LIMITED, t.closedWith.get(5, TimeUnit.SECONDS));
        HubTest.within(Duration.ofSeconds(5), () -> t.texts().stream().filter(s -> s.contains("rate_limited")).count() == 2, () -> t.frames);
        assertEquals(3, t.texts().stream().filter(s -> s.contains("\"pong\"")).count(), "the burst was served");
    }
}
