package dev.switchboard.bench;

import dev.switchboard.bench.Benchmark.Variant;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The reconnect storm's calls on the server: the cut, and the publications made while the clients come back. */
final class StormHttp {

    private StormHttp() {
    }

    static void cutEveryConnection(Server server, Variant variant) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        if (variant.switchboard()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port
                    + "/api/admin/reconnect")).header("X-Switchboard-Key", ReconnectStorm.KEY).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("POST /api/admin/reconnect: " + r.statusCode() + " " + r.body());
            }
        } else {
            java.net.http.WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + server.port
                    + "/bare/ws"), new java.net.http.WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);
            ws.sendText("restart", true).get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * {@value ReconnectStorm#PUBLICATIONS} publications to every room over the HTTP API, from the cut on, as fast as the server takes
     * them (32 requests in flight), each room's in order: most are made while its clients are away.
     */
    static void publish(Server server, String prefix, int rooms) {
        HttpClient http = HttpClient.newHttpClient();
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(32);
        try {
            for (int s = 0; s < ReconnectStorm.PUBLICATIONS; s++) {
                List<java.util.concurrent.CompletableFuture<?>> round = new ArrayList<>();
                for (int r = 0; r < rooms; r++) {
                    inFlight.acquire();
                    round.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port
                                    + "/api/rooms/messages?room=" + prefix + r)).header("X-Switchboard-Key", ReconnectStorm.KEY)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"s\":" + s + "}")).build(),
                            HttpResponse.BodyHandlers.ofString()).whenComplete((answer, failure) -> {
                                inFlight.release();
                                if (failure != null || answer.statusCode() != 202) {
                                    Benchmark.progress("   storm: a publication failed: %s",
                                            failure != null ? failure : answer.statusCode() + " " + answer.body());
                                }
                            }));
                }
                // a room's next publication after its previous one was taken: in order per room
                java.util.concurrent.CompletableFuture.allOf(round.toArray(new java.util.concurrent.CompletableFuture[0]))
                        .get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            Benchmark.progress("   storm: the publisher stopped: %s", e);
        }
    }
}
