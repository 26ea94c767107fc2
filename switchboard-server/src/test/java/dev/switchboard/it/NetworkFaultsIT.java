package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Client-side network faults, for real, through a {@link TcpProxy} between one client and the server, black-box on
 * both servers (heartbeat 2 s, outbound queue 1 MiB, from arquillian.xml):
 * <ul>
 * <li>a peer whose network vanishes (nothing delivered either way, no FIN, no RST) is closed by the server within two
 * heartbeat intervals (4000) when nothing was being sent to it, and within three (4008: the server cannot tell it from
 * a slow one while buffers still take its frames) when the room it is in keeps publishing; the others go on;</li>
 * <li>a client on a slow link (16 KB/s) under a firehose gets the slow-consumer policy, while the clients on a good
 * link receive everything, in order.</li>
 * </ul>
 * The node's connection count comes back to its baseline after each.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class NetworkFaultsIT {

    static final long HEARTBEAT_MS = 2_000;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("network-faults-it");
    }

    @ArquillianResource
    URL url;

    private final HttpClient http = Quirks.http();

    private static long silenceCloses(JsonObject stats) {
        return stats.getJsonNumber("heartbeatCloses").longValue() + stats.getJsonNumber("slowConsumerCloses").longValue();
    }

    private void publish(String room, String body) throws Exception {
        HttpResponse<String> r = http.send(Deployments.withKey(HttpRequest.newBuilder(Deployments.base(url).resolve("api/rooms/" + room + "/messages")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
    }

    @Test
    void anIdlePeerWhoseNetworkVanishesIsClosedWithinTwoIntervals() throws Exception {
        URI ws = Deployments.ws(url);
        try (TcpProxy link = TcpProxy.before(ws); WsClient near = WsClient.connect(ws)) {
            near.send(msg("join", "1", "room", "vanish-idle")).expect("joined");
            int baseline = NodeStats.of(url).getInt("connections");
            WsClient far = WsClient.connect(link.through(ws));
            far.send(msg("join", "1", "room", "vanish-idle")).expect("joined");
            long closesBefore = NodeStats.number(NodeStats.of(url), "heartbeatCloses");

            link.blackhole(); // nothing goes either way from now on, and nothing is sent to it
            long start = System.nanoTime();
            JsonObject after = NodeStats.when(url, s -> s.getInt("connections") == baseline, 3 * HEARTBEAT_MS + 4_000);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(baseline, after.getInt("connections"), "the vanished peer is closed (" + took + " ms): " + after);
            System.out.println("NetworkFaultsIT: the idle vanished peer was closed after " + took + " ms");
            // its ping leaves at most half an interval and a sweep (a quarter) after its last answer, and has an
            // interval and a sweep to be answered: two intervals at worst (and the stats poll, 50 ms)
            assertTrue(took <= 2 * HEARTBEAT_MS + 250, "within two heartbeat intervals: " + took + " ms");
            assertEquals(closesBefore + 1, NodeStats.number(after, "heartbeatCloses"), "as gone (4000): " + after);
            assertEquals("still", near.send(msg("ping", "still")).expect("pong").getString("re"), "the others are served");
            far.socket.abort();
        }
    }

    @Test
    void aPeerWhoseNetworkVanishesIsClosedByTheHeartbeat() throws Exception {
        URI ws = Deployments.ws(url);
        try (TcpProxy link = TcpProxy.before(ws); WsClient near = WsClient.connect(ws)) {
            near.send(msg("join", "1", "room", "vanish")).expect("joined");
            int baseline = NodeStats.of(url).getInt("connections");
            WsClient far = WsClient.connect(link.through(ws));
            far.send(msg("join", "1", "room", "vanish")).expect("joined");
            assertEquals(baseline + 1, NodeStats.of(url).getInt("connections"));
            long closesBefore = silenceCloses(NodeStats.of(url));

            link.blackhole();
            long start = System.nanoTime();
            // the room keeps publishing: the server's frames to the vanished peer pile up in buffers nobody reads
            for (int i = 0; i < 20; i++) {
                publish("vanish", "{\"i\":" + i + "}");
                assertEquals(i, near.expect("message").getJsonObject("data").getInt("i"), "the near member goes on");
            }
            JsonObject after = NodeStats.when(url, s -> s.getInt("connections") == baseline, 3 * HEARTBEAT_MS + 4_000);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(baseline, after.getInt("connections"), "the vanished peer is closed (" + took + " ms): " + after);
            System.out.println("NetworkFaultsIT: the vanished peer was closed after " + took + " ms");
            // the next ping leaves up to half an interval and a sweep (a quarter) after the last answer, and with
            // frames still going out to the peer it has two intervals and a sweep to be answered: 3 intervals at worst
            assertTrue(took <= 3 * HEARTBEAT_MS + 250, "within three heartbeat intervals: " + took + " ms");
            // 4000 (gone) or 4008 (slow): while traffic flowed to it the sends it was given may still have completed
            // into the buffers, and the server cannot tell a vanished peer from a slow one
            assertTrue(silenceCloses(after) > closesBefore, "closed by the heartbeat's verdict: " + after);
            assertEquals("still", near.send(msg("ping", "still")).expect("pong").getString("re"), "the others are served");
            far.socket.abort();
        }
    }

    @Test
    void aSlowLinkGetsTheSlowConsumerPolicyAndTheOthersEverything() throws Exception {
        URI ws = Deployments.ws(url);
        int others = 20;
        int messages = 300;
        String body = "{\"pad\":\"" + "x".repeat(16 * 1024) + "\",\"i\":%d}";
        List<WsClient> good = new ArrayList<>();
        try (TcpProxy link = TcpProxy.before(ws)) {
            int baseline = NodeStats.of(url).getInt("connections");
            long slowClosesBefore = NodeStats.of(url).getJsonNumber("slowConsumerCloses").longValue();
            link.throttleDown(16 * 1024);
            WsClient slow = WsClient.connect(link.through(ws));
            slow.send(msg("join", "1", "room", "narrow")).expect("joined");
            for (int i = 0; i < others; i++) {
                WsClient c = WsClient.connect(ws);
                c.send(msg("join", "1", "room", "narrow")).expect("joined");
                good.add(c);
            }
            // in batches the good members read before the next: the publisher goes no faster than a good link, so
            // only the slow link falls behind (5 MB offered to a 16 KB/s link, a 1 MiB queue and the sockets' buffers)
            int batch = 20;
            for (int sent = 0; sent < messages; sent += batch) {
                for (int i = sent; i < sent + batch; i++) {
                    publish("narrow", String.format(body, i));
                }
                for (WsClient c : good) {
                    for (int i = sent; i < sent + batch; i++) {
                        assertEquals(i, c.expect("message").getJsonObject("data").getInt("i"), "in order, nothing lost");
                    }
                }
            }
            JsonObject after = NodeStats.when(url, s -> s.getJsonNumber("slowConsumerCloses").longValue() > slowClosesBefore
                    && s.getInt("connections") == baseline + others, 15_000);
            assertTrue(after.getJsonNumber("slowConsumerCloses").longValue() > slowClosesBefore,
                    "the slow link got the slow-consumer policy: " + after);
            assertEquals(baseline + others, after.getInt("connections"), "it is gone, the good links stay: " + after);
            assertTrue(link.forwardedDown() < (long) messages * 16 * 1024 / 2,
                    "the link was slow indeed: " + link.forwardedDown() + " bytes through");
            for (WsClient c : good) {
                assertTrue(c.isOpen());
            }
            slow.socket.abort();
        } finally {
            good.forEach(WsClient::close);
        }
        assertEquals(0, NodeStats.when(url, s -> s.getJsonNumber("queuedMessages").longValue() == 0, 5_000)
                .getJsonNumber("queuedMessages").longValue(), "nothing left queued");
    }
}
