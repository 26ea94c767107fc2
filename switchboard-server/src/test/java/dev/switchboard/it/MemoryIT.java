package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * History is bounded in bytes, per room and per node, black-box on both servers. This WAR: a node budget of 4 MiB and
 * 1 MiB per room (estimated heap bytes), messages of up to 16 KB. Publishing ~20 MiB of history into 16 rooms keeps
 * the node within its budget, counts the evictions, answers a client that asks for an evicted range with
 * {@code recovered: false}, recovers a range still held, and the server keeps answering.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MemoryIT {

    static final long NODE_BUDGET = 4L * 1024 * 1024;
    static final long ROOM_BUDGET = 1024L * 1024;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("memory-it", Deployments.TEST_RATE
                + "switchboard.history.node-max-bytes=" + NODE_BUDGET + "\n"
                + "switchboard.history.max-bytes=" + ROOM_BUDGET + "\n"
                + "switchboard.max-message-bytes=16384\n");
    }

    @ArquillianResource
    URL url;

    private final HttpClient http = Quirks.http();

    @Test
    void historyStaysWithinTheNodesBudgetAndAnEvictedRangeIsNotRecovered() throws Exception {
        String pad = "m".repeat(6000); // ~12 KB estimated per publication
        int rooms = 16;
        int perRoom = 100; // 16 x 100 x ~12 KB = ~19 MiB offered to a 4 MiB budget
        String firstEpoch;
        try (WsClient early = WsClient.connect(Deployments.ws(url))) {
            firstEpoch = early.send(msg("join", "1", "room", "mem-0")).expect("joined").getString("epoch");
        }
        for (int i = 0; i < perRoom; i++) {
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int r = 0; r < rooms; r++) {
                sent.add(http.sendAsync(Deployments.withKey(HttpRequest.newBuilder(Deployments.base(url).resolve("api/rooms/mem-" + r + "/messages")))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"i\":" + i + ",\"pad\":\"" + pad + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : sent) {
                HttpResponse<String> answer = f.join();
                assertEquals(202, answer.statusCode(), "publication " + i + " into " + answer.uri() + ": " + answer.body());
            }
        }
        JsonObject stats = NodeStats.of(url);
        long held = stats.getJsonNumber("historyBytes").longValue();
        assertEquals(NODE_BUDGET, stats.getJsonNumber("historyMaxBytes").longValue());
        assertTrue(held <= NODE_BUDGET, "history within the node's budget: " + stats);
        assertTrue(held > NODE_BUDGET / 2, "and used: " + stats);
        assertTrue(stats.getJsonNumber("historyEvicted").longValue() >= rooms * perRoom / 2,
                "what did not fit was evicted, and counted: " + stats);

        try (WsClient late = WsClient.connect(Deployments.ws(url))) {
            JsonObject evicted = late.send(msg("join", "1", "room", "mem-0", "since",
                    Json.createObjectBuilder().add("epoch", firstEpoch).add("offset", 0).build())).expect("joined");
            assertFalse(evicted.getBoolean("recovered"), "the oldest publications were evicted: " + evicted);
            assertEquals(perRoom, evicted.getJsonNumber("offset").longValue());
            JsonObject recent = late.send(msg("join", "2", "room", "mem-1", "since",
                    Json.createObjectBuilder().add("epoch", firstEpoch).add("offset", 0).build())).skipTo("joined");
            // mem-1 has an epoch of its own: asking it with mem-0's is refused too; ask with its own for the last one
            String epoch1 = recent.getString("epoch");
            late.send(msg("leave", "3", "room", "mem-1")).skipTo("left");
            JsonObject tail = late.send(msg("join", "4", "room", "mem-1", "since",
                    Json.createObjectBuilder().add("epoch", epoch1).add("offset", perRoom - 1).build())).skipTo("joined");
            assertTrue(tail.getBoolean("recovered"), "the newest publication is held: " + tail);
            assertEquals(perRoom, late.skipTo("message").getInt("offset"), "and replayed");
            assertEquals("alive", late.send(msg("ping", "alive")).skipTo("pong").getString("re"), "the server answers");
        }
    }
}
