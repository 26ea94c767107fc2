package dev.switchboard.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.client.Events.Ack;
import dev.switchboard.client.Events.Closed;
import dev.switchboard.client.SwitchboardClient.State;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The client against a fake transport on a virtual clock: each test plays the server's part, message by message. */
class SwitchboardClientTest {

    private final VirtualScheduler clock = new VirtualScheduler();
    private final FakeTransport transport = new FakeTransport();

    private SwitchboardClient connect(ClientOptions.Builder options) {
        SwitchboardClient client = SwitchboardClient.connect(URI.create("http://127.0.0.1:8080/app/ws"),
                options.transport(transport).scheduler(clock).random(() -> 0.5).build());
        clock.run();
        return client;
    }

    private SwitchboardClient connect() {
        return connect(ClientOptions.builder());
    }

    private FakeTransport.Attempt open() {
        FakeTransport.Attempt attempt = transport.last().open();
        clock.run();
        return attempt;
    }

    private static <T> T done(CompletionStage<T> stage) throws Exception {
        CompletableFuture<T> future = stage.toCompletableFuture();
        assertTrue(future.isDone(), "completed");
        return future.get();
    }

    private static String failure(CompletionStage<?> stage) {
        CompletableFuture<?> future = stage.toCompletableFuture();
        assertTrue(future.isCompletedExceptionally(), "failed: " + future);
        try {
            future.get();
            throw new AssertionError("no failure");
        } catch (ExecutionException | InterruptedException e) {
            return ((SwitchboardException) e.getCause()).code();
        }
    }

    @Test
    void opensOffersBatchFirstSaysHelloAndSendsWhatWaited() throws Exception {
        SwitchboardClient client = connect();
        assertEquals(List.of("switchboard.v1.batch", "switchboard.v1"), transport.last().protocols);
        assertEquals(State.CONNECTING, client.state());
        Room room = client.join("chat");
        CompletionStage<Ack> early = client.publish("chat", new Order("a-1", 2));
        clock.run();

        FakeTransport.Attempt a = open();
        assertEquals(State.OPEN, client.state());
        assertEquals("hello", a.sent("ping").get(0).getString("id"), "a first message at once");
        JsonObject join = a.last("join");
        assertEquals("chat", join.getString("room"));
        assertFalse(join.containsKey("since"), "nothing known yet");
        JsonObject publish = a.last("publish");
        assertEquals("a-1", publish.getJsonObject("data").getString("id"), "payload encoded with JSON-B");
        assertTrue(publish.getString("key").length() > 8, "an idempotency key");

        a.serverSends("{\"type\":\"joined\",\"re\":\"" + join.getString("id") + "\",\"room\":\"chat\",\"epoch\":\"e1\",\"offset\":4,\"presence\":[{\"user\":\"guest\",\"connections\":1}]}");
        a.serverSends("{\"type\":\"ack\",\"re\":\"" + publish.getString("id") + "\",\"room\":\"chat\",\"offset\":5}");
        clock.run();
        assertEquals(4, done(room.ready()).offset());
        assertEquals(new Ack("chat", 5), done(early));
        assertEquals(1, room.members().get("guest"));
    }

    @Test
    void messagesArriveOnceInOrderAndDecodeIntoRecords() {
        SwitchboardClient client = connect();
        Room room = client.join("orders");
        FakeTransport.Attempt a = open();
        a.serverSends("{\"type\":\"joined\",\"room\":\"orders\",\"epoch\":\"e1\",\"offset\":0,\"re\":\"" + a.last("join").getString("id") + "\"}");
        List<Order> got = new ArrayList<>();
        room.onMessage(p -> got.add(p.data(Order.class)));
        // one batch frame with two messages, then a duplicate of the second
        a.serverSends("{\"type\":\"message\",\"room\":\"orders\",\"epoch\":\"e1\",\"offset\":1,\"ts\":1,\"data\":{\"id\":\"o1\",\"quantity\":1}}\n"
                + "{\"type\":\"message\",\"room\":\"orders\",\"epoch\":\"e1\",\"offset\":2,\"ts\":2,\"data\":{\"id\":\"o2\",\"quantity\":2}}");
        a.serverSends("{\"type\":\"message\",\"room\":\"orders\",\"epoch\":\"e1\",\"offset\":2,\"ts\":2,\"data\":{\"id\":\"o2\",\"quantity\":2}}");
        clock.run();
        assertEquals(List.of(new Order("o1", 1), new Order("o2", 2)), got);
        assertEquals(2L, room.offset());
    }

    @Test
    void aFilteredJoinSendsItsFilterOnEveryJoinAndTagsTravelBothWays() throws Exception {
        SwitchboardClient client = connect();
        Room room = client.join("prices", Map.of("symbol", List.of("EURUSD", "GBPUSD")));
        List<Map<String, String>> tags = new ArrayList<>();
        room.onMessage(p -> tags.add(p.tags()));
        FakeTransport.Attempt a = open();
        JsonObject join = a.last("join");
        assertEquals(List.of("EURUSD", "GBPUSD"), join.getJsonObject("filter").getJsonArray("symbol").getValuesAs(
                jakarta.json.JsonString.class).stream().map(jakarta.json.JsonString::getString).toList());
        a.serverSends("{\"type\":\"joined\",\"room\":\"prices\",\"epoch\":\"e1\",\"offset\":3,\"re\":\"" + join.getString("id") + "\"}");
        a.serverSends("{\"type\":\"message\",\"room\":\"prices\",\"epoch\":\"e1\",\"offset\":4,\"ts\":1,\"data\":1.08,\"tags\":{\"symbol\":\"EURUSD\"}}");
        CompletionStage<Ack> published = client.publish("prices", 1.27, Map.of("symbol", "GBPUSD"));
        CompletionStage<Events.HistoryPage> page = client.history("prices", 10, null, null, false, Map.of("symbol", List.of("EURUSD")));
        clock.run();
        assertEquals(List.of(Map.of("symbol", "EURUSD")), tags);
        assertEquals("GBPUSD", a.last("publish").getJsonObject("tags").getString("symbol"));
        JsonObject history = a.last("history");
        assertEquals("EURUSD", history.getJsonObject("filter").getJsonArray("symbol").getString(0));
        a.serverSends("{\"type\":\"ack\",\"re\":\"" + a.last("publish").getString("id") + "\",\"room\":\"prices\",\"offset\":5}");
        a.serverSends("{\"type\":\"history\",\"re\":\"" + history.getString("id") + "\",\"room\":\"prices\",\"epoch\":\"e1\",\"offset\":5,"
                + "\"publications\":[{\"offset\":4,\"ts\":1,\"data\":1.08,\"tags\":{\"symbol\":\"EURUSD\"}}]}");
        clock.run();
        assertEquals(new Ack("prices", 5), done(published));
        assertEquals(Map.of("symbol", "EURUSD"), done(page).publications().get(0).tags());
        a.serverCloses(CloseCodes.GOING_AWAY);
        clock.run();
        clock.advance(Duration.ofMillis(250));
        FakeTransport.Attempt b = open();
        assertTrue(b.last("join").containsKey("filter"), "the filter is sent again on the rejoin");
        assertEquals(4, b.last("join").getJsonObject("since").getInt("offset"));
    }

    @Test
    void aCutConnectionReconnectsWithJitteredBackoffAndRecoversSinceTheLastOffset() {
        SwitchboardClient client = connect();
        Room room = client.join("chat");
        List<Closed> closes = new ArrayList<>();
        client.onClose(closes::add);
        FakeTransport.Attempt a = open();
        a.serverSends("{\"type\":\"joined\",\"room\":\"chat\",\"epoch\":\"e1\",\"offset\":7,\"re\":\"" + a.last("join").getString("id") + "\"}");
        a.serverSends("{\"type\":\"message\",\"room\":\"chat\",\"epoch\":\"e1\",\"offset\":8,\"ts\":1,\"data\":\"hi\"}");
        clock.run();

        a.serverCloses(CloseCodes.GOING_AWAY);
        clock.run();
        assertEquals(State.RECONNECTING, client.state());
        assertEquals(List.of(new Closed(1001, "test", true)), closes);
        assertEquals(250, clock.nextDelay(), "first retry: random 0.5 × 500 ms");
        clock.advance(Duration.ofMillis(250));
        assertEquals(2, transport.attempts.size());
        transport.last().refuse();
        clock.run();
        assertEquals(500, clock.nextDelay(), "the cap doubles: 0.5 × 1000 ms");
        clock.advance(Duration.ofMillis(500));

        FakeTransport.Attempt c = open();
        JsonObject join = c.last("join");
        assertEquals("e1", join.getJsonObject("since").getString("epoch"));
        assertEquals(8, join.getJsonObject("since").getInt("offset"), "since the last delivered offset");
    }

    @Test
    void anUnrecoverableRejoinSaysResetAndMovesOn() {
        SwitchboardClient client = connect();
        Room room = client.join("chat", "e0", 3L);
        List<Events.Joined> resets = new ArrayList<>();
        room.onReset(resets::add);
        FakeTransport.Attempt a = open();
        assertEquals(3, a.last("join").getJsonObject("since").getInt("offset"));
        a.serverSends("{\"type\":\"joined\",\"room\":\"chat\",\"epoch\":\"e9\",\"offset\":40,\"recovered\":false,\"re\":\"" + a.last("join").getString("id") + "\"}");
        clock.run();
        assertEquals(1, resets.size());
        assertEquals("e9", room.epoch());
        assertEquals(40L, room.offset());
    }

    @Test
    void theCodesThatForbidReconnectingLeaveItClosedAndFailWhatWaits() {
        for (int code : new int[] {1000, 1008, 4401, 4403}) {
            FakeTransport fresh = new FakeTransport();
            VirtualScheduler time = new VirtualScheduler();
            SwitchboardClient client = SwitchboardClient.connect(URI.create("ws://x/ws"),
                    ClientOptions.builder().transport(fresh).scheduler(time).build());
            time.run();
            fresh.last().open();
            time.run();
            CompletionStage<JsonValue> pending = client.request("slow", null);
            time.run();
            fresh.last().serverCloses(code);
            time.run();
            assertEquals(State.CLOSED, client.state(), "after " + code);
            assertEquals("disconnected", failure(pending));
            time.advance(Duration.ofMinutes(5));
            assertEquals(1, fresh.attempts.size(), "no other attempt after " + code);
            CompletionStage<Ack> late = client.publish("chat", 1);
            time.run();
            assertEquals("closed", failure(late));
        }
    }

    @Test
    void aPublishInFlightWhenTheConnectionDropsGoesAgainWithItsKeyAndCompletesOnce() throws Exception {
        SwitchboardClient client = connect();
        FakeTransport.Attempt a = open();
        CompletionStage<Ack> ack = client.publish("chat", "once");
        CompletionStage<JsonValue> request = client.request("m", null);
        clock.run();
        String key = a.last("publish").getString("key");
        a.serverCloses(CloseCodes.ABNORMAL);
        clock.run();
        assertFalse(ack.toCompletableFuture().isDone(), "waits for the next connection");
        assertEquals("disconnected", failure(request), "a request is not re-sent");
        clock.advance(Duration.ofSeconds(1));
        FakeTransport.Attempt b = open();
        JsonObject again = b.last("publish");
        assertEquals(key, again.getString("key"), "the same key: the server publishes it once");
        b.serverSends("{\"type\":\"ack\",\"re\":\"" + again.getString("id") + "\",\"room\":\"chat\",\"offset\":3}");
        clock.run();
        assertEquals(3, done(ack).offset());
    }

    @Test
    void theOfflineQueueIsBoundedAndAnUnansweredCallTimesOut() {
        SwitchboardClient client = connect(ClientOptions.builder().offlineQueueSize(2).requestTimeout(Duration.ofSeconds(2)));
        CompletionStage<Ack> first = client.publish("r", 1);
        client.publish("r", 2);
        client.publish("r", 3);
        clock.run();
        assertEquals("offline_queue_full", failure(first), "the oldest goes");
        open();
        CompletionStage<JsonValue> request = client.request("m", null);
        clock.advance(Duration.ofMillis(1999));
        assertFalse(request.toCompletableFuture().isDone());
        clock.advance(Duration.ofMillis(1));
        assertEquals("timeout", failure(request));
    }

    @Test
    void serverRequestsAreAnsweredByHandlersOrRefused() {
        SwitchboardClient client = connect();
        client.handle("double", data -> ((jakarta.json.JsonNumber) data).intValue() * 2);
        client.handle("broken", data -> {
            throw new SwitchboardException("invalid", "no");
        });
        FakeTransport.Attempt a = open();
        a.serverSends("{\"type\":\"request\",\"id\":\"r1\",\"method\":\"double\",\"data\":21}");
        a.serverSends("{\"type\":\"request\",\"id\":\"r2\",\"method\":\"broken\"}");
        a.serverSends("{\"type\":\"request\",\"id\":\"r3\",\"method\":\"nobody\"}");
        clock.run();
        List<JsonObject> replies = a.sent("reply");
        assertEquals(3, replies.size(), "three replies: " + replies);
        java.util.Map<String, JsonObject> byRequest = new java.util.HashMap<>();
        replies.forEach(r -> byRequest.put(r.getString("re"), r));
        assertEquals(42, byRequest.get("r1").getInt("data"));
        assertEquals("invalid", byRequest.get("r2").getString("error"));
        assertEquals("unknown_method", byRequest.get("r3").getString("error"));
    }

    @Test
    void credentialsAreAskedPerAttemptAndRefreshedAheadOfExpiry() {
        AtomicInteger issued = new AtomicInteger();
        SwitchboardClient client = connect(ClientOptions.builder()
                .credentials(() -> CompletableFuture.completedFuture("ticket.t" + issued.incrementAndGet())));
        assertEquals("ticket.t1", transport.last().protocols.get(2));
        FakeTransport.Attempt a = transport.last().open(",\"expiresInMs\":60000");
        clock.run();
        clock.advance(Duration.ofSeconds(44));
        assertTrue(a.sent("refresh").isEmpty());
        clock.advance(Duration.ofSeconds(1));
        JsonObject refresh = a.last("refresh");
        assertEquals("ticket.t2", refresh.getString("credential"), "at 75 % of the lifetime");
        a.serverSends("{\"type\":\"refreshed\",\"re\":\"" + refresh.getString("id") + "\",\"expiresInMs\":60000}");
        clock.run();
        clock.advance(Duration.ofSeconds(44));
        assertEquals(1, a.sent("refresh").size(), "the next refresh at 75 % of the new lifetime, not before");
        clock.advance(Duration.ofSeconds(1));
        assertEquals("ticket.t3", a.last("refresh").getString("credential"));
        a.serverCloses(CloseCodes.CREDENTIALS_EXPIRED);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(State.RECONNECTING, client.state());
        assertEquals("ticket.t4", transport.last().protocols.get(2), "4001: a fresh credential for the next attempt");
    }

    @Test
    void noAnswerForAWholePingIntervalClosesWith4000() {
        connect(ClientOptions.builder().pingInterval(Duration.ofSeconds(10)));
        FakeTransport.Attempt a = open();
        clock.advance(Duration.ofSeconds(10));
        assertEquals(2, a.sent("ping").size(), "hello, then the first ping");
        assertNull(a.closedWith);
        clock.advance(Duration.ofSeconds(10));
        assertEquals(CloseCodes.HEARTBEAT_TIMEOUT, a.closedWith);
    }

    @Test
    void anAdministratorsRemovalIsNotRejoined() {
        SwitchboardClient client = connect();
        Room room = client.join("chat");
        List<String> removed = new ArrayList<>();
        room.onRemoved(removed::add);
        FakeTransport.Attempt a = open();
        a.serverSends("{\"type\":\"left\",\"room\":\"chat\"}");
        a.serverCloses(1012);
        clock.advance(Duration.ofSeconds(1));
        FakeTransport.Attempt b = open();
        assertEquals(List.of("chat"), removed);
        assertTrue(b.sent("join").isEmpty(), "not rejoined");
    }
}
