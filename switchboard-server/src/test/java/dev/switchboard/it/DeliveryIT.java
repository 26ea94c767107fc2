package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void aClientAwayWhile100MessagesArePublishedRecoversAllInOrder() throws Exception {
        try (WsClient publisher = WsClient.connect(ws())) {
            publisher.send(msg("join", "1", "room", "recovery")).expect("joined");
            String epoch;
            long lastSeen;
            try (WsClient away = WsClient.connect(ws())) {
                epoch = away.send(msg("join", "1", "room", "recovery")).expect("joined").getString("epoch");
                publisher.send(msg("publish", "p", "room", "recovery", "data", "seen"));
                lastSeen = away.expect("message").getJsonNumber("offset").longValue();
                assertEquals("p", publisher.skipTo("ack").getString("re"));
            }
            publish(publisher, "recovery", 100);
            try (WsClient back = WsClient.connect(ws())) {
                JsonObject since = Json.createObjectBuilder().add("epoch", epoch).add("offset", lastSeen).build();
                JsonObject joined = back.send(msg("join", "2", "room", "recovery", "since", since)).expect("joined");
                assertTrue(joined.getBoolean("recovered"), joined.toString());
                assertEquals(lastSeen + 100, joined.getJsonNumber("offset").longValue());
                Set<Long> offsets = new HashSet<>();
                for (int i = 0; i < 100; i++) {
                    JsonObject m = back.expect("message");
                    long offset = m.getJsonNumber("offset").longValue();
                    assertEquals(lastSeen + 1 + i, offset, "in order, no gap");
                    assertTrue(offsets.add(offset), "no duplicate");
                    assertEquals("missed-" + i, m.getString("data"));
                }
                publisher.send(msg("publish", "live", "room", "recovery", "data", "live"));
                JsonObject live = back.expect("message");
                assertEquals(lastSeen + 101, live.getJsonNumber("offset").longValue(), "live continues after the replay");
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

    @Test
    void presenceDiffsConvergeToThePresenceOfTheRoom() throws Exception {
        try (WsClient watcher = WsClient.connect(ws())) {
            JsonObject joined = watcher.send(msg("join", "1", "room", "converge")).expect("joined");
            Set<String> view = new TreeSet<>();
            joined.getJsonArray("presence").forEach(m -> view.add(m.asJsonObject().getString("user")));
            List<WsClient> others = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    WsClient c = WsClient.connect(ws());
                    c.send(msg("join", "1", "room", "converge")).expect("joined");
                    others.add(c);
                }
                for (int i = 0; i < 3; i++) {
                    others.get(i).close();
                }
                Set<String> expected = new TreeSet<>(List.of(watcher.user));
                for (int i = 3; i < 6; i++) {
                    expected.add(others.get(i).user);
                }
                // apply diffs until the view matches what the room says, bounded by WsClient's per-frame wait
                for (int frames = 0; !view.equals(expected); frames++) {
                    assertTrue(frames < 100, "presence did not converge: " + view + " vs " + expected);
                    JsonObject diff = watcher.skipTo("presence_diff");
                    diff.getJsonArray("joins").getValuesAs(JsonString::getString).forEach(view::add);
                    diff.getJsonArray("leaves").getValuesAs(JsonString::getString).forEach(view::remove);
                }
                JsonObject presence = watcher.send(msg("presence", "p", "room", "converge")).expect("presence");
                Set<String> server = new TreeSet<>();
                presence.getJsonArray("members").forEach(m -> server.add(m.asJsonObject().getString("user")));
                assertEquals(expected, server);
            } finally {
                others.forEach(WsClient::close);
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
            assertEquals(1008, close.code(), close.toString());
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
