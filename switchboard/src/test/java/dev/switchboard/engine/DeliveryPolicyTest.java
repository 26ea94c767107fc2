package dev.switchboard.engine;

import dev.switchboard.telemetry.NodeMetrics;
import static dev.switchboard.engine.HubTest.json;
import static dev.switchboard.engine.HubTest.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.CloseCodes;
import dev.switchboard.RequestHandler.RequestFailure;
import dev.switchboard.config.Settings;
import dev.switchboard.protocol.ClientMessage;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Slow-consumer policies, presence coalescing, heartbeats and server-to-client requests. */
class DeliveryPolicyTest {

    private final ExecutorService writers = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        writers.shutdownNow();
        timers.shutdownNow();
    }

    /** What the hubs of this test tell their telemetry (the node's metrics as the application has them). */
    private final NodeMetrics metrics = new NodeMetrics();

    private Hub hub(int queueMessages, Duration heartbeat, Duration coalesce) {
        return new Hub(HubTest.settings(queueMessages, heartbeat, coalesce), writers, timers, e -> { }, List.of(), metrics);
    }

    /** A peer that reads nothing until {@link #release()}: its first send hangs, the rest queue up. */
    static final class Held implements Transport {
        /** When set, every ping is answered with a pong from this connection. */
        volatile Connection answerPingsFor;
        final List<String> texts = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
        final List<java.util.function.Consumer<Throwable>> waiting = new ArrayList<>();
        volatile boolean held = true;
        volatile int pings;

        @Override
        public synchronized void sendText(String text, java.util.function.Consumer<Throwable> done) {
            texts.add(text);
            if (held) {
                waiting.add(done);
            } else {
                done.accept(null);
            }
        }

        @Override
        public void sendBinary(java.nio.ByteBuffer data, java.util.function.Consumer<Throwable> done) {
            done.accept(null);
        }

        @Override
        public void ping(java.nio.ByteBuffer payload) {
            pings++;
            Connection c = answerPingsFor;
            if (c != null) {
                c.pong(payload.duplicate()); // echoes the payload, as RFC 6455 requires
            }
        }

        @Override
        public void close(int code, String reason) {
            closedWith.complete(code);
        }

        void release() {
            List<java.util.function.Consumer<Throwable>> done;
            synchronized (this) {
                held = false;
                done = new ArrayList<>(waiting);
                waiting.clear();
            }
            done.forEach(d -> d.accept(null));
        }

        List<JsonObject> messages() {
            return texts.stream().map(HubTest::json).filter(j -> "message".equals(j.getString("type"))).toList();
        }
    }

    @Test
    void aConflatingRoomDeliversOnlyTheLatestToAMemberThatIsBehind() throws Exception {
        Hub hub = hub(100, Duration.ZERO, Duration.ZERO);
        Held slow = new Held();
        Connection c = hub.open(slow, "u", "/ws", false);
        hub.join(c, "j", "ticker:EURUSD", null, null); // the 'joined' send hangs: everything after queues
        for (int i = 1; i <= 500; i++) {
            hub.publish("ticker:EURUSD", Json.createValue(i));
        }
        assertFalse(c.isClosing(), "conflation never overflows");
        slow.release();
        within(Duration.ofSeconds(5), () -> !slow.messages().isEmpty() && c.queued() == 0, () -> slow.texts);
        List<JsonObject> got = slow.messages();
        assertEquals(500, got.get(got.size() - 1).getInt("data"), "the latest value arrives");
        assertTrue(got.size() < 10, "older values were conflated away: " + got.size());
        assertTrue(c.outbox.dropped() >= 490);
    }

    @Test
    void aDropOldestRoomKeepsTheNewestWithinTheBound() throws Exception {
        Hub hub = hub(100, Duration.ZERO, Duration.ZERO);
        Held slow = new Held();
        Connection c = hub.open(slow, "u", "/ws", false);
        hub.join(c, "j", "feed:news", null, null);
        for (int i = 1; i <= 300; i++) {
            hub.publish("feed:news", Json.createValue(i));
        }
        assertFalse(c.isClosing());
        slow.release();
        within(Duration.ofSeconds(5), () -> c.queued() == 0 && slow.messages().size() >= 99, () -> slow.texts.size());
        List<JsonObject> got = slow.messages();
        assertEquals(300, got.get(got.size() - 1).getInt("data"));
        for (int i = 1; i < got.size(); i++) {
            assertTrue(got.get(i).getInt("offset") > got.get(i - 1).getInt("offset"), "order kept");
        }
        assertEquals(300 - got.size(), c.outbox.dropped());
    }

    @Test
    void aDisconnectRoomClosesTheSlowMemberWith4008() throws Exception {
        Hub hub = hub(100, Duration.ZERO, Duration.ZERO);
        Held slow = new Held();
        hub.join(hub.open(slow, "u", "/ws", false), "j", "chat", null, null);
        for (int i = 1; i <= 200; i++) {
            hub.publish("chat", Json.createValue(i));
        }
        assertEquals(CloseCodes.SLOW_CONSUMER, slow.closedWith.get(5, TimeUnit.SECONDS));
        assertEquals(1, metrics.counters().slowConsumerCloses());
    }

    /** A hub whose node bounds all queued frames to {@code nodeMax} characters (each queue: 100 000 messages, 1 Mi). */
    private Hub hubWithNodeQueueBound(long nodeMax) {
        Settings.Limits l = new Settings.Limits(0, 1, 0, 3, 200);
        return new Hub(HubTest.settings(100_000, Duration.ZERO, Duration.ZERO).withLimits(new Settings.Limits(
                l.ratePerSecond(), l.rateBurst(), l.rateStrikes(), l.connectionsPerUser(), l.roomsPerConnection(),
                l.publishKeyWindow(), l.historyNodeMaxBytes(), l.maxRooms(), nodeMax)), writers, timers, e -> { }, List.of(),
                metrics);
    }

    @Test
    void theNodesQueueBoundCountsABroadcastOnceAndEndsOnlyTheMembersThatHoldMoreThanTheirShare() throws Exception {
        Hub hub = hubWithNodeQueueBound(40_000); // a 'crowd' room: no presence beyond 2 members, only publications queue
        List<Held> stuck = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Held slow = new Held();
            hub.join(hub.open(slow, "stuck" + i, "/ws", false), "j", "crowd:chat", null, null);
            stuck.add(slow);
        }
        List<TestTransport> good = new ArrayList<>();
        List<Connection> keepingUp = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            TestTransport t = TestTransport.inline();
            Connection c = hub.open(t, "good" + i, "/ws", false);
            hub.join(c, "j", "crowd:chat", null, null);
            good.add(t);
            keepingUp.add(c);
        }
        String body = "x".repeat(100);
        for (int i = 1; i <= 100; i++) {
            hub.publish("crowd:chat", Json.createValue(body + i));
        }
        // 20 queues hold every publication (~15 000 characters each, 300 000 summed), but the node holds each frame once
        long held = hub.state().snapshot().queuedBytes();
        assertTrue(held > 10_000 && held < 40_000, "a broadcast frame is counted once: " + held);
        assertTrue(stuck.stream().noneMatch(s -> s.closedWith.isDone()), () -> "within the node's bound nobody is closed: "
                + hub.state().snapshot() + " closed " + stuck.stream().filter(s -> s.closedWith.isDone()).count());
        for (int i = 101; i <= 400; i++) {
            hub.publish("crowd:chat", Json.createValue(body + i));
            // the good members keep up: each publication goes out to them before the next (share: 1 000 characters)
            within(Duration.ofSeconds(5), () -> keepingUp.stream().allMatch(c -> c.queued() == 0), () -> "behind");
        }
        for (Held slow : stuck) {
            assertEquals(CloseCodes.SLOW_CONSUMER, slow.closedWith.get(5, TimeUnit.SECONDS), "over its share at the bound");
        }
        assertEquals(20, metrics.counters().slowConsumerCloses());
        assertTrue(hub.state().snapshot().queueBudgetRefusals() >= 20);
        for (TestTransport t : good) {
            within(Duration.ofSeconds(5), () -> t.texts().stream().filter(x -> x.contains("\"message\"")).count() >= 400,
                    () -> t.texts().size());
            List<JsonObject> got = t.texts().stream().map(HubTest::json).filter(j -> "message".equals(j.getString("type"))).toList();
            assertEquals(400, got.size(), "a member that keeps up gets everything");
            for (int i = 0; i < got.size(); i++) {
                assertEquals(i + 1, got.get(i).getInt("offset"), "in order");
            }
        }
        within(Duration.ofSeconds(5), () -> hub.state().snapshot().queuedBytes() == 0, () -> hub.state().snapshot().queuedBytes());
    }

    @Test
    void aDropOldestRoomAtTheNodesQueueBoundDropsTheSlowMembersOldestAndKeepsItOpen() throws Exception {
        Hub hub = hubWithNodeQueueBound(20_000);
        Held slow = new Held();
        Connection c = hub.open(slow, "u", "/ws", false);
        hub.join(c, "j", "feed:news", null, null);
        String body = "y".repeat(200);
        for (int i = 1; i <= 300; i++) {
            hub.publish("feed:news", Json.createValue(body + i));
            assertTrue(hub.state().snapshot().queuedBytes() <= 20_000 + 300, "the node's bound holds: " + hub.state().snapshot().queuedBytes());
        }
        assertFalse(c.isClosing(), "a drop-oldest room drops, it does not close");
        assertTrue(c.outbox.dropped() > 150, "the oldest went: " + c.outbox.dropped());
        slow.release();
        within(Duration.ofSeconds(5), () -> c.queued() == 0, () -> c.queued());
        List<JsonObject> got = slow.messages();
        assertEquals(body + 300, got.get(got.size() - 1).getString("data"), "the newest arrives");
        assertEquals(0, hub.state().snapshot().queuedBytes());
    }

    @Test
    void joinsAndLeavesWithinTheWindowGoOutAsOneDiff() throws Exception {
        Hub hub = hub(1000, Duration.ZERO, Duration.ofMillis(200));
        TestTransport watcher = TestTransport.inline();
        hub.join(hub.open(watcher, "watcher", "/ws", false), "j", "busy", null, null);
        within(Duration.ofSeconds(5), () -> watcher.texts().stream().anyMatch(t -> t.contains("presence_diff")), () -> watcher.frames);
        List<Connection> crowd = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Connection c = hub.open(TestTransport.inline(), "user" + i, "/ws", false);
            hub.join(c, "j", "busy", null, null);
            crowd.add(c);
        }
        hub.closed(crowd.get(0), 1000, "bye"); // joined and left within the window: never announced
        within(Duration.ofSeconds(5), () -> watcher.texts().stream().filter(t -> t.contains("presence_diff")).count() == 2,
                () -> watcher.frames);
        JsonObject diff = json(watcher.texts().stream().filter(t -> t.contains("presence_diff")).reduce((a, b) -> b).orElseThrow());
        assertEquals(49, diff.getJsonArray("joins").size(), diff.toString());
        assertFalse(diff.getJsonArray("joins").toString().contains("\"user0\""));
        assertEquals(0, diff.getJsonArray("leaves").size());
        assertEquals(50, hub.presence("busy").size());
    }

    @Test
    void aSilentPeerIsPingedThenClosedWhenItDoesNotAnswerWithinTwoIntervals() throws Exception {
        Hub hub = hub(100, Duration.ofMillis(200), Duration.ZERO);
        Held silent = new Held();
        silent.release();
        Connection c = hub.open(silent, "mute", "/ws", false);
        assertEquals(CloseCodes.HEARTBEAT_TIMEOUT, silent.closedWith.get(5, TimeUnit.SECONDS));
        assertTrue(silent.pings >= 1, "pinged before being closed");
        assertEquals(1, metrics.counters().heartbeatCloses());
        assertTrue(c.isClosing());
    }

    @Test
    void aPeerThatTalksButDoesNotAnswerPingsIsASlowConsumer() throws Exception {
        Hub hub = hub(100, Duration.ofMillis(200), Duration.ZERO);
        Held deaf = new Held();
        deaf.release();
        Connection c = hub.open(deaf, "deaf", "/ws", false);
        // unsolicited pongs every 50 ms: the peer is there, but never echoes a ping (it does not read)
        var pongs = timers.scheduleAtFixedRate(() -> c.pong(java.nio.ByteBuffer.allocate(0)), 0, 50, TimeUnit.MILLISECONDS);
        try {
            assertEquals(CloseCodes.SLOW_CONSUMER, deaf.closedWith.get(5, TimeUnit.SECONDS));
        } finally {
            pongs.cancel(false);
        }
        assertEquals(0, metrics.counters().heartbeatCloses());
    }

    @Test
    void aPeerWhoseMessagesAreStillBeingHandledIsNotClosedForAPongThatWaitsBehindThem() throws Exception {
        // a publisher's burst to a large room: this node handles its messages one after the other, and the pong it
        // sent sits behind them in the inbound stream; it must not be taken for a peer that is gone or not reading
        Hub hub = hub(100, Duration.ofMillis(200), Duration.ZERO);
        Held busy = new Held();
        busy.release();
        Connection c = hub.open(busy, "busy", "/ws", false);
        java.util.concurrent.CountDownLatch handled = new java.util.concurrent.CountDownLatch(20); // 20 × 50 ms: 5 intervals
        var messages = timers.scheduleAtFixedRate(() -> {
            hub.dispatch(c, new dev.switchboard.protocol.ClientMessage.Ping("p"));
            handled.countDown();
        }, 0, 50, TimeUnit.MILLISECONDS);
        try {
            assertTrue(handled.await(5, TimeUnit.SECONDS));
            assertFalse(busy.closedWith.isDone(), "closed while its messages were being handled: " + busy.closedWith);
        } finally {
            messages.cancel(false);
        }
        // the messages stop and the ping stays unanswered: closed within two intervals and a sweep
        assertEquals(CloseCodes.SLOW_CONSUMER, busy.closedWith.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aConnectionClosedWithoutTheContainersOnCloseIsRemovedByTheSweep() throws Exception {
        // a container that took the socket for closed before our close frame may never call @OnClose
        Hub hub = hub(100, Duration.ofMillis(200), Duration.ZERO);
        Held peer = new Held();
        peer.release();
        Connection c = hub.open(peer, "gone", "/ws", false);
        assertTrue(hub.join(c, null, "lobby", null, null));
        c.close(CloseCodes.GOING_AWAY, "bye");
        assertEquals(CloseCodes.GOING_AWAY, peer.closedWith.get(5, TimeUnit.SECONDS));
        assertEquals(1, hub.state().snapshot().connections(), "still registered: the container has not reported the close");
        within(Duration.ofSeconds(15), () -> hub.state().snapshot().connections() == 0 && hub.presence("lobby").isEmpty(),
                () -> hub.state().snapshot().connections());
    }

    @Test
    void aPeerThatAnswersPingsStaysOpen() throws Exception {
        Hub hub = hub(100, Duration.ofMillis(200), Duration.ZERO);
        Held peer = new Held();
        peer.release();
        Connection c = hub.open(peer, "alive", "/ws", false);
        peer.answerPingsFor = c;
        within(Duration.ofSeconds(5), () -> peer.pings >= 5, () -> peer.pings);
        assertFalse(c.isClosing());
        assertFalse(peer.closedWith.isDone());
    }

    @Test
    void serverRequestsCompleteWithTheReplyTimeOutOrFailOnDisconnect() throws Exception {
        Hub hub = hub(100, Duration.ZERO, Duration.ZERO);
        TestTransport t = TestTransport.inline();
        Connection c = hub.open(t, "client", "/ws", false);
        var answered = hub.request(c.id(), "confirm", Json.createValue("sure?"), Duration.ofSeconds(5)).toCompletableFuture();
        within(Duration.ofSeconds(5), () -> !t.texts().isEmpty(), () -> t.frames);
        JsonObject request = json(t.texts().get(0));
        assertEquals("request", request.getString("type"));
        assertEquals("confirm", request.getString("method"));
        hub.dispatch(c, new ClientMessage.Reply(null, request.getString("id"), JsonValue.TRUE, null, null));
        assertEquals(JsonValue.TRUE, answered.get(5, TimeUnit.SECONDS));

        var refused = hub.request(c.id(), "confirm", null, Duration.ofSeconds(5)).toCompletableFuture();
        within(Duration.ofSeconds(5), () -> t.texts().size() == 2, () -> t.frames);
        hub.dispatch(c, new ClientMessage.Reply(null, json(t.texts().get(1)).getString("id"), null, "declined", "no"));
        assertEquals("declined", failure(refused).code());

        var late = hub.request(c.id(), "confirm", null, Duration.ofMillis(100)).toCompletableFuture();
        assertEquals("timeout", failure(late).code());

        var cut = hub.request(c.id(), "confirm", null, Duration.ofSeconds(30)).toCompletableFuture();
        hub.closed(c, 1006, "gone");
        assertEquals("disconnected", failure(cut).code());
        assertEquals("unknown_connection", failure(hub.request("nope", "m", null, Duration.ofSeconds(1)).toCompletableFuture()).code());
    }

    private static RequestFailure failure(CompletableFuture<JsonValue> future) throws Exception {
        try {
            future.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return (RequestFailure) e.getCause();
        }
        throw new AssertionError("completed normally: " + future.getNow(null));
    }
}
