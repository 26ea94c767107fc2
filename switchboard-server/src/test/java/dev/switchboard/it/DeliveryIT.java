package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.client.Events.Joined;
import dev.switchboard.client.Events.Publication;
import dev.switchboard.client.Room;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.test.Await;
import dev.switchboard.test.TestClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Delivery guarantees, black-box: recovery after an absence, presence that converges, dead and slow peers.
 * The servers run with the test settings of arquillian.xml: heartbeat 2 s, send timeout 5 s, outbound queue
 * 1 MiB, first-message timeout 3 s, room class {@code short} keeping 10 messages.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DeliveryIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("delivery-it");
    }

    @ArquillianResource
    URL url;

    private URI ws() {
        return Deployments.ws(url);
    }

    /** Publishes {@code count} messages numbered from 0 and waits for every ack. */
    private static void publish(WsClient publisher, String room, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            publisher.send(msg("publish", "m" + i, "room", room, "data", "missed-" + i));
        }
        for (int i = 0; i < count; i++) {
            assertEquals("m" + i, publisher.skipTo("ack").getString("re"), "acks in order");
        }
    }

    /** With the Java client: a client that joins again {@code since} the last offset it saw recovers the rest. */
    @Test
    void aClientAwayWhile100MessagesArePublishedRecoversAllInOrder() throws Exception {
        URI endpoint = ws().resolve("ws");
        try (TestClient publisher = TestClient.connect(endpoint)) {
            publisher.join("recovery");
            String epoch;
            long lastSeen;
            try (TestClient away = TestClient.connect(endpoint)) {
                epoch = away.join("recovery").epoch();
                publisher.publish("recovery", "seen");
                lastSeen = away.awaitMessage("recovery").offset();
            }
            for (int i = 0; i < 100; i++) {
                publisher.client().publish("recovery", "missed-" + i);
            }
            assertEquals(lastSeen + 101, publisher.publish("recovery", "last-missed").offset(), "every ack came, in order");
            try (SwitchboardClient back = SwitchboardClient.connect(endpoint)) {
                java.util.concurrent.BlockingQueue<Publication> received = new java.util.concurrent.LinkedBlockingQueue<>();
                Room room = back.join("recovery", epoch, lastSeen);
                room.onMessage(received::add);
                Joined joined = Await.value(room.ready(), () -> "joined since " + lastSeen);
                assertEquals(Boolean.TRUE, joined.recovered(), joined.toString());
                assertEquals(lastSeen + 101, joined.offset());
                for (int i = 0; i < 101; i++) {
                    Publication m = received.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                    assertNotNull(m, "recovered publication " + i);
                    assertEquals(lastSeen + 1 + i, m.offset(), "in order, no gap");
                    assertEquals(i < 100 ? "missed-" + i : "last-missed", m.data(String.class));
                }
                publisher.publish("recovery", "live");
                Publication live = received.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                assertNotNull(live, "live after the replay");
                assertEquals(lastSeen + 102, live.offset(), "live continues after the replay");
            }
        }
    }

    @Test
    void beyondTheHistoryWindowOrWithAnotherEpochRecoveryIsRefused() throws Exception {
        try (WsClient publisher = WsClient.connect(ws())) {
            JsonObject joined = publisher.send(msg("join", "1", "room", "short:window")).expect("joined");
            String epoch = joined.getString("epoch");
            publish(publisher, "short:window", 30); // the 'short' class keeps 10
            try (WsClient back = WsClient.connect(ws())) {
                JsonObject since = Json.createObjectBuilder().add("epoch", epoch).add("offset", 5).build();
                JsonObject rejoined = back.send(msg("join", "2", "room", "short:window", "since", since)).expect("joined");
                assertFalse(rejoined.getBoolean("recovered"), rejoined.toString());
                JsonObject recent = Json.createObjectBuilder().add("epoch", epoch).add("offset", 25).build();
                JsonObject ok = back.send(msg("join", "3", "room", "short:window", "since", recent)).expect("joined");
                assertTrue(ok.getBoolean("recovered"), "within the window: " + ok);
                for (int i = 25; i < 30; i++) {
                    assertEquals("missed-" + i, back.expect("message").getString("data"));
                }
                JsonObject otherEpoch = Json.createObjectBuilder().add("epoch", "not-" + epoch).add("offset", 29).build();
                assertFalse(back.send(msg("join", "4", "room", "short:window", "since", otherEpoch)).expect("joined")
                        .getBoolean("recovered"));
            }
        }
    }

    /** The Java client applies the server's presence diffs: its view converges to what the room says. */
    @Test
    void presenceDiffsConvergeToThePresenceOfTheRoom() throws Exception {
        URI endpoint = ws().resolve("ws");
        try (SwitchboardClient watcher = SwitchboardClient.connect(endpoint)) {
            java.util.concurrent.BlockingQueue<Map<String, Integer>> views = new java.util.concurrent.LinkedBlockingQueue<>();
            Room room = watcher.join("converge");
            room.onPresence(views::add);
            Await.value(room.ready(), () -> "the watcher joined");
            List<TestClient> others = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    TestClient c = TestClient.connect(endpoint);
                    c.join("converge");
                    others.add(c);
                }
                for (int i = 0; i < 3; i++) {
                    others.get(i).close();
                }
                Set<String> expected = new TreeSet<>(List.of(Await.value(watcher.ready(), () -> "welcome").user()));
                for (int i = 3; i < 6; i++) {
                    expected.add(others.get(i).user());
                }
                // the view after each diff, until it matches what the room says (bounded: 10 s per change)
                Set<String> view = new TreeSet<>(room.members().keySet());
                while (!view.equals(expected)) {
                    Map<String, Integer> next = views.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                    assertNotNull(next, "presence did not converge: " + view + " vs " + expected);
                    view = new TreeSet<>(next.keySet());
                }
                Set<String> server = new TreeSet<>();
                Await.value(watcher.presence("converge"), () -> "presence").forEach(m -> server.add(m.user()));
                assertEquals(expected, server);
            } finally {
                others.forEach(TestClient::close);
            }
        }
    }

    @Test
    void aPeerThatStopsAnsweringPingsIsClosed() throws Exception {
        try (RawSocket mute = new RawSocket(ws().resolve("ws/rooms/heartbeat"), 0, null)) {
            // never answers the server's pings (heartbeat 2 s in the test settings): closed two intervals later
            mute.timeout(15_000);
            List<Integer> opcodes = new ArrayList<>();
            RawSocket.Frame frame;
            do {
                frame = mute.read();
                opcodes.add(frame.opcode());
            } while (frame.opcode() != 0x8);
            assertTrue(opcodes.contains(0x9), "pinged before being closed: " + opcodes);
            assertEquals(4000, frame.closeCode());
        }
    }

    @Test
    void aConnectionThatNeverSendsItsFirstMessageIsClosed() throws Exception {
        try (WsClient idle = WsClient.connect(ws())) {
            WsClient.Close close = idle.awaitClose();
            // 1013, try again later: the server cannot tell silence from a first message it has not read yet
            assertEquals(1013, close.code(), close.toString());
        }
    }

    @Test
    void aStalledReaderIsClosedWith4008WhileHundredsOfOthersReceiveEverything() throws Exception {
        // enough data to fill the stalled socket's kernel buffers (a few MB on loopback) and then its 1 MiB queue
        int others = 100;
        int messages = 400;
        String body = "\"" + "x".repeat(16 * 1024) + "\"";
        List<WsClient> healthy = new ArrayList<>();
        try (RawSocket stalled = new RawSocket(ws().resolve("ws/rooms/firehose"), 4096, null)) {
            stalled.keepAliveWithoutReading();
            for (int i = 0; i < others; i++) {
                WsClient c = WsClient.connect(ws());
                c.send(msg("join", "1", "room", "firehose")).expect("joined");
                healthy.add(c);
            }
            HttpClient http = Quirks.http();
            URI publish = Deployments.base(url).resolve("api/rooms/firehose/messages");
            // in batches that the healthy members read before the next: the publisher goes no faster than the server
            // can deliver (Payara writes far fewer frames per second than WildFly), so only the stalled one falls behind
            int batch = 20;
            for (int sent = 0; sent < messages; sent += batch) {
                for (int i = 0; i < batch; i++) {
                    HttpResponse<String> r = http.send(Deployments.withKey(HttpRequest.newBuilder(publish)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(202, r.statusCode(), r.body());
                }
                for (WsClient c : healthy) {
                    for (int i = 0; i < batch; i++) {
                        assertEquals(16 * 1024, c.expect("message").getString("data").length());
                    }
                }
            }
            for (WsClient c : healthy) {
                assertTrue(c.isOpen());
            }
            // A close frame cannot reach a peer that does not read: it is queued behind what the container
            // already buffered. Undertow drops the TCP connection after the send timeout; Tyrus (Payara) keeps the
            // buffered frames and sends 4008 after them. Either way the connection ends, and never normally.
            stalled.timeout(20_000);
            int[] before = {0};
            try {
                assertEquals(4008, stalled.readUntilClose(before), "the stalled reader is closed as a slow consumer");
            } catch (java.io.EOFException | java.net.SocketException dropped) {
                assertTrue(before[0] < messages, "dropped, so it cannot have received everything: " + before[0]);
            }

            JsonObject stats = NodeStats.of(url);
            assertTrue(stats.getJsonNumber("slowConsumerCloses").longValue() >= 1, stats.toString());
            assertEquals(0, stats.getJsonNumber("queuedMessages").longValue(), "nothing left queued: " + stats);
        } finally {
            healthy.forEach(WsClient::close);
        }
    }
}
