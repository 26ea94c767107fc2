package dev.switchboard.engine;

import dev.switchboard.telemetry.NodeMetrics;
import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.CloseCodes;
import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardEvent;
import dev.switchboard.protocol.ClientMessage;
import dev.switchboard.protocol.Codec;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HubTest {

    private final ExecutorService writers = Executors.newFixedThreadPool(4);
    private final ExecutorService completer = Executors.newFixedThreadPool(2);
    private final java.util.concurrent.ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final List<SwitchboardEvent> events = new CopyOnWriteArrayList<>();
    static Settings settings(int queueMessages, Duration heartbeat, Duration coalesce) {
        return new Settings(65536, queueMessages, 1 << 20, Duration.ofSeconds(5), heartbeat, Duration.ZERO,
                Duration.ZERO, coalesce, Duration.ofSeconds(1), 4,
                new RoomPolicy(50, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0),
                Map.of("ticker", new RoomPolicy(10, Duration.ofMinutes(5), SlowConsumerPolicy.CONFLATE, 0),
                        "feed", new RoomPolicy(10, Duration.ofMinutes(5), SlowConsumerPolicy.DROP_OLDEST, 0),
                        "small", new RoomPolicy(10, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 2),
                        "crowd", new RoomPolicy(10, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0, 2)),
                new Settings.Limits(0, 1, 0, 3, 2), new Settings.Origins(List.of(), true),
                new Settings.Socket(false, false), null);
    }

    private final Settings settings = settings(100, Duration.ZERO, Duration.ZERO);
    private final NodeMetrics metrics = new NodeMetrics();
    private final Hub hub = new Hub(settings, writers, timers, events::add, List.of(new Echo()), metrics);

    @AfterEach
    void stop() {
        writers.shutdownNow();
        completer.shutdownNow();
        timers.shutdownNow();
    }

    static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    static void within(Duration limit, BooleanSupplier condition, java.util.function.Supplier<Object> diagnostics) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit + ": " + diagnostics.get());
            }
            Thread.onSpinWait();
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    private List<JsonObject> ofType(TestTransport t, String type) {
        return t.texts().stream().map(HubTest::json).filter(j -> type.equals(j.getString("type"))).toList();
    }

    /**
     * A publish with a key is published once per publisher and room within the window: the retry (here on another
     * connection of the same user, as after a reconnect) is acked with the first offset and delivers nothing; the
     * same key from another user is another publication.
     */
    @Test
    void aRetriedPublishWithTheSameKeyIsAckedWithTheFirstOffsetAndDeliveredOnce() throws Exception {
        TestTransport member = TestTransport.inline();
        hub.join(hub.open(member, "mia", "/ws", false), "j", "orders", null, null);
        TestTransport first = TestTransport.inline();
        TestTransport retry = TestTransport.inline();
        TestTransport other = TestTransport.inline();
        Connection ann1 = hub.open(first, "ann", "/ws", false);
        Connection ann2 = hub.open(retry, "ann", "/ws", false);
        Connection bob = hub.open(other, "bob", "/ws", false);
        for (Connection c : List.of(ann1, ann2, bob)) {
            hub.join(c, "j", "orders", null, null);
        }
        hub.dispatch(ann1, new ClientMessage.Publish("p1", "orders", Json.createValue("once"), "k-1", null));
        hub.dispatch(ann2, new ClientMessage.Publish("p1", "orders", Json.createValue("once"), "k-1", null));
        hub.dispatch(bob, new ClientMessage.Publish("p1", "orders", Json.createValue("bob's"), "k-1", null));
        within(Duration.ofSeconds(5), () -> ofType(first, "ack").size() == 1 && ofType(other, "ack").size() == 1
                && ofType(retry, "ack").size() == 1 && ofType(member, "message").size() == 2, () -> member.frames);
        assertEquals(1, ofType(first, "ack").get(0).getInt("offset"));
        assertEquals(1, ofType(retry, "ack").get(0).getInt("offset"), "the retry is acked with the first offset");
        assertEquals(2, ofType(other, "ack").get(0).getInt("offset"), "another user's equal key is another key");
        assertEquals(List.of("\"once\"", "\"bob's\""), ofType(member, "message").stream()
                .map(m -> m.get("data").toString()).toList(), "delivered once each");
        assertEquals(1, ofType(retry, "message").stream().filter(m -> "once".equals(m.getString("data"))).count(),
                "every member, the retrying connection too, got it once");
    }

    /**
     * {@code refresh}: credentials of the same user replace the connection's (new expiry), so it outlives the old
     * expiry; credentials that are not valid or name another user get {@code bad_credentials} and change nothing; a
     * connection whose credentials expire unrefreshed is closed with 4001 (reconnectable), not 1008.
     */
    @Test
    void refreshedCredentialsOutliveTheOldExpiryAndUnrefreshedOnesClose4001() throws Exception {
        java.time.Instant soon = java.time.Instant.now().plusMillis(1500);
        java.time.Instant later = java.time.Instant.now().plusSeconds(60);
        hub.verifyCredentialsWith(credential -> switch (credential) {
            case "bearer.fresh" -> java.util.Optional.of(new dev.switchboard.security.Caller("ann", java.util.Set.of("chat"), false, later));
            case "bearer.bob" -> java.util.Optional.of(new dev.switchboard.security.Caller("bob", java.util.Set.of(), false, later));
            default -> java.util.Optional.empty();
        });
        TestTransport refreshing = TestTransport.inline();
        TestTransport expiring = TestTransport.inline();
        Connection ann = hub.sessions().open(refreshing, new dev.switchboard.security.Caller("ann", java.util.Set.of(), false, soon), "/ws", false, null);
        Connection ann2 = hub.sessions().open(expiring, new dev.switchboard.security.Caller("ann", java.util.Set.of(), false, soon), "/ws", false, null);

        hub.dispatch(ann, new ClientMessage.Refresh("r1", "bearer.forged"));
        hub.dispatch(ann, new ClientMessage.Refresh("r2", "bearer.bob"));
        hub.dispatch(ann, new ClientMessage.Refresh("r3", "bearer.fresh"));
        within(Duration.ofSeconds(5), () -> ofType(refreshing, "refreshed").size() == 1, () -> refreshing.frames);
        List<JsonObject> errors = ofType(refreshing, "error");
        assertEquals(List.of("r1", "r2"), errors.stream().map(e -> e.getString("re")).toList());
        assertTrue(errors.stream().allMatch(e -> "bad_credentials".equals(e.getString("code"))), errors.toString());
        JsonObject refreshed = ofType(refreshing, "refreshed").get(0);
        assertEquals("r3", refreshed.getString("re"));
        assertEquals(later.toEpochMilli(), refreshed.getJsonNumber("expiresAt").longValue());
        assertTrue(refreshed.getJsonNumber("expiresInMs").longValue() > 50_000, refreshed.toString());
        JsonObject welcome = ofType(refreshing, "welcome").get(0);
        assertTrue(welcome.getJsonNumber("expiresInMs").longValue() <= 1500, "welcome says how long they hold: " + welcome);
        assertTrue(ann.caller().hasRole("chat"), "the new credentials' roles apply");

        assertEquals(CloseCodes.CREDENTIALS_EXPIRED, expiring.closedWith.get(5, TimeUnit.SECONDS),
                "unrefreshed: closed, reconnectable");
        assertFalse(refreshing.closedWith.isDone(), "refreshed: still open after the old expiry");
    }

    @Test
    void aBroadcastIsEncodedOnceAndTheSameTextQueuedForEveryMember() throws Exception {
        List<TestTransport> transports = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TestTransport t = TestTransport.inline();
            transports.add(t);
            Connection c = hub.open(t, "user" + i, "/ws", false);
            hub.join(c, "j", "room", null, null);
        }
        hub.publish("room", Json.createValue("hello"));
        for (TestTransport t : transports) {
            within(Duration.ofSeconds(5), () -> !ofType(t, "message").isEmpty(), () -> t.frames);
        }
        String first = transports.get(0).texts().stream().filter(s -> s.contains("\"message\"")).findFirst().orElseThrow();
        for (TestTransport t : transports) {
            String frame = t.texts().stream().filter(s -> s.contains("\"message\"")).findFirst().orElseThrow();
            assertSame(first, frame, "one encoded String instance for every member");
        }
    }

    @Test
    void aRoomAbovePresenceMaxMembersAnnouncesNoPresenceButAnswersTheQuery() throws Exception {
        List<TestTransport> transports = new ArrayList<>();
        List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TestTransport t = TestTransport.inline();
            transports.add(t);
            Connection c = hub.open(t, "user" + i, "/ws", false);
            connections.add(c);
            hub.join(c, "j" + i, "crowd:hall", null, null);
        }
        for (TestTransport t : transports) {
            within(Duration.ofSeconds(5), () -> ofType(t, "joined").size() == 1, () -> t.frames);
        }
        assertTrue(ofType(transports.get(1), "joined").get(0).containsKey("presence"), "the second member still sees presence");
        assertFalse(ofType(transports.get(2), "joined").get(0).containsKey("presence"), "the third does not: the room is over 2");
        assertFalse(ofType(transports.get(3), "joined").get(0).containsKey("presence"));
        assertTrue(ofType(transports.get(0), "presence_diff").stream()
                .noneMatch(d -> d.getJsonArray("joins").toString().contains("user3")), "no diff once over the limit");
        assertEquals(4, hub.presence("crowd:hall").size(), "the presence query still answers");
    }

    @Test
    void manyThreadsSendingToOneConnectionNeverOverlapAndKeepEachSendersOrder() throws Exception {
        int threads = 8;
        int perThread = 2000;
        Hub big = new Hub(settings(1_000_000, Duration.ZERO, Duration.ZERO), writers, timers, e -> { }, List.of());
        TestTransport transport = TestTransport.async(completer);
        Connection c = big.open(transport, "target", "/ws", false);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService senders = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            int sender = t;
            senders.execute(() -> {
                try {
                    assertTrue(start.await(5, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    big.sendToUser("target", Json.createObjectBuilder().add("s", sender).add("n", i).build());
                }
            });
        }
        start.countDown();
        senders.shutdown();
        assertTrue(senders.awaitTermination(30, TimeUnit.SECONDS));
        within(Duration.ofSeconds(30), () -> transport.frames.size() == threads * perThread,
                () -> transport.frames.size() + " of " + threads * perThread);
        assertEquals(0, transport.overlapping.get(), "sends overlapped on one connection");
        int[] next = new int[threads];
        for (String text : transport.texts()) {
            JsonObject data = json(text).getJsonObject("data");
            int s = data.getInt("s");
            assertEquals(next[s]++, data.getInt("n"), "order of sender " + s);
        }
        for (int n : next) {
            assertEquals(perThread, n);
        }
        assertEquals(0, c.queued());
    }

    @Test
    void anOverflowingQueueClosesThatConnectionWith4008AndIsCounted() throws Exception {
        TestTransport stalled = TestTransport.stalled();
        TestTransport healthy = TestTransport.async(completer);
        Connection slow = hub.open(stalled, "slow", "/ws", false);
        Connection fine = hub.open(healthy, "fine", "/ws", false);
        hub.join(slow, "j", "ticker", null, null);
        hub.join(fine, "j", "ticker", null, null);
        for (int batch = 0; batch < 6; batch++) { // batches of 50: the healthy member keeps up, the stalled one cannot
            for (int i = 0; i < 50; i++) {
                hub.publish("ticker", Json.createValue(batch * 50 + i)); // never blocks, though one member is stalled
            }
            int expected = (batch + 1) * 50;
            within(Duration.ofSeconds(5), () -> ofType(healthy, "message").size() == expected, () -> healthy.frames.size());
        }
        assertEquals(CloseCodes.SLOW_CONSUMER, stalled.closedWith.get(5, TimeUnit.SECONDS));
        assertEquals(1, metrics.counters().slowConsumerCloses());
        within(Duration.ofSeconds(5), () -> ofType(healthy, "message").size() == 300, () -> healthy.frames.size());
        assertTrue(slow.isClosing());
        assertFalse(fine.isClosing());
    }

    @Test
    void joinsAndPublicationsAreOrderedByOffsetAndRecoverable() throws Exception {
        TestTransport a = TestTransport.inline();
        Connection alice = hub.open(a, "alice", "/ws", true);
        hub.dispatch(alice, Codec.decode("{\"type\":\"join\",\"id\":\"1\",\"room\":\"r\"}"));
        for (int i = 1; i <= 10; i++) {
            hub.dispatch(alice, Codec.decode("{\"type\":\"publish\",\"id\":\"p" + i + "\",\"room\":\"r\",\"data\":" + i + "}"));
        }
        within(Duration.ofSeconds(5), () -> ofType(a, "ack").size() == 10, () -> a.frames);
        String epoch = ofType(a, "joined").get(0).getString("epoch");
        List<JsonObject> messages = ofType(a, "message");
        for (int i = 0; i < 10; i++) {
            assertEquals(i + 1, messages.get(i).getInt("offset"));
        }

        TestTransport b = TestTransport.inline();
        Connection bob = hub.open(b, "bob", "/ws", false);
        hub.join(bob, "2", "r", epoch, 4L);
        within(Duration.ofSeconds(5), () -> ofType(b, "message").size() == 6, () -> b.frames);
        JsonObject joined = ofType(b, "joined").get(0);
        assertTrue(joined.getBoolean("recovered"));
        assertEquals(10, joined.getInt("offset"));
        List<JsonObject> recovered = ofType(b, "message");
        for (int i = 0; i < 6; i++) {
            assertEquals(5 + i, recovered.get(i).getInt("offset"));
        }

        TestTransport c = TestTransport.inline();
        hub.join(hub.open(c, "carol", "/ws", false), "3", "r", "other-epoch", 4L);
        within(Duration.ofSeconds(5), () -> !ofType(c, "joined").isEmpty(), () -> c.frames);
        assertFalse(ofType(c, "joined").get(0).getBoolean("recovered"));
        assertTrue(ofType(c, "message").isEmpty());
    }

    @Test
    void lifecycleAndPublishingAreEvents() throws Exception {
        TestTransport t = TestTransport.inline();
        Connection c = hub.open(t, "eve", "/ws", false);
        hub.join(c, "1", "ev", null, null);
        hub.publish("ev", Json.createValue(1));
        hub.closed(c, 1000, "bye");
        assertEquals(List.of(SwitchboardEvent.ConnectionOpened.class, SwitchboardEvent.RoomJoined.class,
                        SwitchboardEvent.MessagePublished.class, SwitchboardEvent.RoomLeft.class,
                        SwitchboardEvent.ConnectionClosed.class),
                events.stream().map(Object::getClass).toList());
        assertEquals(0, hub.connectionCount());
        assertTrue(hub.presence("ev").isEmpty());
    }

    @Test
    void anEmptyIdleRoomIsRetiredAndAJoinAfterwardsGetsANewEpoch() throws Exception {
        TestTransport t = TestTransport.inline();
        Connection c = hub.open(t, "rita", "/ws", false);
        hub.join(c, "1", "brief", null, null);
        hub.publish("brief", Json.createValue(1));
        Room room = hub.room("brief");
        hub.closed(c, 1000, "bye");
        assertFalse(room.retireIfIdle(System.currentTimeMillis(), 60_000), "recently active: kept");
        assertTrue(room.retireIfIdle(System.currentTimeMillis() + 120_000, 60_000), "idle and empty: retired");
        assertEquals(null, room.publish(null, Json.createValue(2), null, System.currentTimeMillis(), null, 0), "a retired room takes nothing");
        // the hub replaces a retired room transparently, with a new epoch
        Switchboard.Publication next = hub.publish("brief", Json.createValue(3));
        assertEquals(1, next.offset());
        TestTransport u = TestTransport.inline();
        hub.join(hub.open(u, "sam", "/ws", false), "2", "brief", "old-epoch", 1L);
        within(Duration.ofSeconds(5), () -> !ofType(u, "joined").isEmpty(), () -> u.frames);
        assertFalse(ofType(u, "joined").get(0).getBoolean("recovered"));
    }

    @Test
    void requestsGoToTheirHandlerAndUnknownOnesAreTyped() throws Exception {
        TestTransport t = TestTransport.inline();
        Connection c = hub.open(t, "rita", "/ws", false);
        hub.dispatch(c, new ClientMessage.Request("1", "echo", Json.createValue("x")));
        hub.dispatch(c, new ClientMessage.Request("2", "missing", null));
        within(Duration.ofSeconds(5), () -> t.frames.size() == 2, () -> t.frames);
        assertEquals("x", ofType(t, "reply").get(0).getString("data"));
        assertEquals("unknown_method", ofType(t, "error").get(0).getString("code"));
    }

    /** {@code echo}: the data back, as the standalone server's demo handler answers. */
    private static final class Echo implements dev.switchboard.RequestHandler {
        @Override
        public String method() {
            return "echo";
        }

        @Override
        public jakarta.json.JsonValue handle(String user, jakarta.json.JsonValue data) {
            return data;
        }
    }
}
