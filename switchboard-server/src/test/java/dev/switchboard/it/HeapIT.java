package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
 * The history's memory budget, measured on the heap, black-box on both servers at the default history limits (256
 * MiB per node, 4 MiB per room, messages up to 64 KB; the servers run with {@code -Xmx1g}): 150 rooms are each
 * offered ~5 MiB of near-limit messages (~720 MiB in all, estimated as the budget counts), with members joined. The
 * heap's live set — read from {@code /api/stats} right after a full GC run in the server's JVM with
 * {@code jcmd <pid> GC.run}, as an operator would — grows by no more than the node's budget, and the server keeps
 * answering.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HeapIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("heap-it");
    }

    @ArquillianResource
    URL url;

    private final HttpClient http = Quirks.http();

    /** The server's JVM: the one process on this machine running the current container. */
    private static long serverPid() {
        String marker = Quirks.processMarker();
        long self = ProcessHandle.current().pid();
        List<ProcessHandle> servers = ProcessHandle.allProcesses()
                .filter(p -> p.pid() != self)
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker) && !c.contains("cluster-it")).orElse(false))
                .toList();
        assertEquals(1, servers.size(), "one " + marker + " process: " + servers);
        return servers.get(0).pid();
    }

    /** A full GC in the server's JVM, then the heap in use: its live set. */
    private long liveSet(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true).start();
        assertTrue(gc.waitFor(30, TimeUnit.SECONDS), "jcmd GC.run finished");
        String out = new String(gc.getInputStream().readAllBytes());
        assertEquals(0, gc.exitValue(), "jcmd GC.run: " + out);
        return NodeStats.of(url).getJsonNumber("heapUsedBytes").longValue();
    }

    @Test
    void theHistorysHeapStaysWithinTheNodesBudgetAtTheDefaultLimits() throws Exception {
        long pid = serverPid();
        long before = liveSet(pid);
        // 150 rooms x 4 MiB (the room bound) would hold ~600 MiB as estimated, ~300 MiB of real heap: more than the
        // node budget even at one byte per character, so the heap figure fails if the node's bound does not hold
        int rooms = 150;
        int perRoom = 40;
        String pad = "h".repeat(60_000); // near the 64 KB message limit; ~120 KB as the budget estimates it
        List<WsClient> members = new ArrayList<>();
        try {
            for (int m = 0; m < 30; m++) { // members in a few of the rooms: publications are delivered, not only kept
                WsClient c = WsClient.connect(Deployments.ws(url));
                c.send(msg("join", "1", "room", "heap-" + m)).expect("joined");
                members.add(c);
            }
            for (int i = 0; i < perRoom; i++) {
                List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
                for (int r = 0; r < rooms; r++) {
                    sent.add(http.sendAsync(Deployments.withKey(HttpRequest.newBuilder(Deployments.base(url).resolve("api/rooms/heap-" + r + "/messages")))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"i\":" + i + ",\"pad\":\"" + pad + "\"}")).build(),
                            HttpResponse.BodyHandlers.ofString()));
                    if (sent.size() == 16) {
                        drain(sent);
                    }
                }
                drain(sent);
                for (WsClient c : members) {
                    assertEquals(i, c.expect("message").getJsonObject("data").getInt("i"), "delivered, in order");
                }
            }
            JsonObject loaded = NodeStats.of(url);
            long budget = loaded.getJsonNumber("historyMaxBytes").longValue();
            long held = loaded.getJsonNumber("historyBytes").longValue();
            assertEquals(256L * 1024 * 1024, budget, "the default node budget");
            assertTrue(held <= budget && held > budget / 2, "history at its budget: " + loaded);
            assertTrue(loaded.getJsonNumber("historyEvicted").longValue() > 0, "what did not fit was evicted: " + loaded);

            long after = liveSet(pid);
            long grew = after - before;
            System.out.printf("HeapIT: live set %d MiB before, %d MiB after (grew %d MiB); history %d MiB estimated of a %d MiB budget; heap max %d MiB%n",
                    before >> 20, after >> 20, grew >> 20, held >> 20, budget >> 20, loaded.getJsonNumber("heapMaxBytes").longValue() >> 20);
            assertTrue(grew <= budget, "the live set grew by " + (grew >> 20) + " MiB, within the node's history budget of "
                    + (budget >> 20) + " MiB");
            assertEquals("alive", members.get(0).send(msg("ping", "alive")).skipTo("pong").getString("re"), "the server answers");
        } finally {
            members.forEach(WsClient::close);
        }
    }

    /** Offers {@code huge} on a new connection and asserts it was refused (1009, or the socket cut while sending). */
    private void refuseHuge(String huge, int attempt) throws Exception {
        try (WsClient c = WsClient.connect(Deployments.ws(url))) {
            try {
                c.send(huge);
            } catch (java.util.concurrent.CompletionException closedWhileSending) {
                // the server closed before the client had written it all: the close tells (FramingIT)
            }
            int code = c.awaitClose().code();
            assertTrue(code == 1009 || code == -1, "attempt " + attempt + ": refused, " + code);
        }
    }

    @Test
    void tenMegabyteMessagesLeaveNothingOnTheHeap() throws Exception {
        long pid = serverPid();
        String huge = "{\"type\":\"ping\",\"id\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}";
        // ten refusals first: what the container sets up for large reads and keeps (Quirks.poolsBuffersOfLargeReads)
        // is not what the test is after; that ten more leave nothing more is
        for (int i = 0; i < 10; i++) {
            refuseHuge(huge, -1 - i);
        }
        long before = liveSet(pid);
        for (int i = 0; i < 10; i++) { // 100 MB offered to the 64 KB limit
            refuseHuge(huge, i);
        }
        long after = liveSet(pid);
        long grew = after - before;
        System.out.printf("HeapIT: ten 10 MB messages refused after ten others; live set %d MiB before, %d MiB after%n", before >> 20, after >> 20);
        long bound = (Quirks.poolsBuffersOfLargeReads() ? 48L : 8L) * 1024 * 1024;
        assertTrue(grew <= bound, "the live set grew by " + (grew >> 20) + " MiB after 100 MB of refused messages");
        try (WsClient c = WsClient.connect(Deployments.ws(url))) {
            assertEquals("alive", c.send(msg("ping", "alive")).expect("pong").getString("re"), "the server answers");
        }
    }

    private static void drain(List<CompletableFuture<HttpResponse<String>>> sent) {
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            HttpResponse<String> answer = f.join();
            assertEquals(202, answer.statusCode(), answer.uri() + ": " + answer.body());
        }
        sent.clear();
    }
}
