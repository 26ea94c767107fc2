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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The node's bound on queued frames, black-box on both servers. This WAR bounds all queues together to 512 Ki
 * characters, half of one connection's own bound (1 MiB, arquillian.xml). Peers that stop reading, in two rooms, take
 * the first ~4 MB each into the sockets' buffers (Linux grows a sender's buffer to 4 MiB, {@code tcp_wmem}); what
 * follows queues in the server — up to 1 Mi per room, 2 Mi in all, without the node's bound. With it, the node's
 * queued size stays within twice its bound (the bound, plus what queues within their share may still take), the
 * stalled peers get the slow-consumer policy (4008, counted), the members that read get every publication in order,
 * and the queues empty afterwards. It all happens within the heartbeat's verdict on the stalled peers (~6 s). On
 * Payara the container buffers those frames itself ({@link Quirks#buffersSendsToStalledPeers()}).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class QueueBoundIT {

    static final long NODE_QUEUE_BOUND = 512L * 1024;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("queue-bound-it", Deployments.TEST_RATE
                + "switchboard.queue.node-max-bytes=" + NODE_QUEUE_BOUND + "\n");
    }

    @ArquillianResource
    URL url;

    private final HttpClient http = Quirks.http();

    @Test
    void peersThatStopReadingCannotHoldMoreThanTheNodesQueueBound() throws Exception {
        URI ws = Deployments.ws(url);
        int rooms = 2;
        int stalledPerRoom = 3;
        int perRoom = 110;
        String pad = "q".repeat(60_000); // near the 64 KB limit: ~6.6 MB per room, past what the sockets hold
        List<WsClient> readers = new ArrayList<>();
        List<WsClient> stalled = new ArrayList<>();
        try (TcpProxy link = TcpProxy.before(ws)) {
            JsonObject before = NodeStats.of(url);
            assertEquals(NODE_QUEUE_BOUND, NodeStats.number(before, "queueMaxBytes"), "the WAR's bound is in force");
            int baseline = before.getInt("connections");
            for (int r = 0; r < rooms; r++) {
                WsClient reader = WsClient.connect(ws);
                reader.send(msg("join", "1", "room", "stall-" + r)).expect("joined");
                readers.add(reader);
                for (int s = 0; s < stalledPerRoom; s++) {
                    WsClient peer = WsClient.connect(link.through(ws));
                    peer.send(msg("join", "1", "room", "stall-" + r)).expect("joined");
                    stalled.add(peer);
                }
            }
            link.blackhole(); // the stalled peers read nothing more: what the server sends them piles up
            long slowBefore = NodeStats.number(before, "slowConsumerCloses");
            long heartbeatBefore = NodeStats.number(before, "heartbeatCloses");
            long refusalsBefore = NodeStats.number(before, "queueBudgetRefusals");
            long most = 0;
            long start = System.nanoTime();
            for (int i = 0; i < perRoom; i++) {
                List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
                for (int r = 0; r < rooms; r++) {
                    sent.add(http.sendAsync(Deployments.withKey(HttpRequest.newBuilder(Deployments.base(url).resolve("api/rooms/stall-" + r + "/messages")))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"i\":" + i + ",\"pad\":\"" + pad + "\"}")).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> f : sent) {
                    HttpResponse<String> answer = f.join();
                    assertEquals(202, answer.statusCode(), answer.uri() + ": " + answer.body());
                }
                for (WsClient reader : readers) {
                    assertEquals(i, reader.expect("message").getJsonObject("data").getInt("i"), "a reader gets everything, in order");
                }
                most = Math.max(most, NodeStats.number(NodeStats.of(url), "queuedBytes"));
            }
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            JsonObject after = NodeStats.when(url, s -> s.getInt("connections") == baseline + rooms, 10_000);
            System.out.printf("QueueBoundIT: %d publications in %d ms; queued at most %d KiB (node bound %d KiB); %d refusals at the bound; %d slow-consumer closes%n",
                    rooms * perRoom, took, most >> 10, NODE_QUEUE_BOUND >> 10, NodeStats.number(after, "queueBudgetRefusals") - refusalsBefore,
                    NodeStats.number(after, "slowConsumerCloses") - slowBefore);
            assertTrue(most <= 2 * NODE_QUEUE_BOUND, "the node's queues stayed within twice its bound: " + most);
            assertEquals(baseline + rooms, after.getInt("connections"), "the stalled peers are gone, the readers stay: " + after);
            // how each stalled peer was ended, as the node counted it (its close frame sits behind megabytes in the
            // sockets' buffers, or never leaves when the container tears the socket down: not read here)
            if (Quirks.buffersSendsToStalledPeers()) {
                assertTrue(NodeStats.number(after, "slowConsumerCloses") + NodeStats.number(after, "heartbeatCloses")
                        >= slowBefore + heartbeatBefore + stalled.size(), "ended by the heartbeat or as slow: " + after);
            } else {
                assertTrue(NodeStats.number(after, "queueBudgetRefusals") > refusalsBefore, "the node's bound applied: " + after);
                assertTrue(NodeStats.number(after, "slowConsumerCloses") >= slowBefore + stalled.size(),
                        "every stalled peer ended as a slow consumer (4008): " + after);
            }
            for (WsClient reader : readers) {
                assertEquals("on", reader.send(msg("ping", "on")).expect("pong").getString("re"), "the readers are served");
            }
        } finally {
            stalled.forEach(p -> p.socket.abort());
            readers.forEach(WsClient::close);
        }
        assertEquals(0, NodeStats.number(NodeStats.when(url, s -> NodeStats.number(s, "queuedBytes") == 0, 5_000), "queuedBytes"), "nothing left queued");
    }
}
