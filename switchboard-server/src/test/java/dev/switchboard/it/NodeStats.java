package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A node's {@code GET /api/stats}, read with the test WARs' server key, as an operator's script reads it. */
final class NodeStats {

    private NodeStats() {
    }

    /** The stats of the deployment at {@code url}; asserts the 200. */
    static JsonObject of(URL url) throws Exception {
        HttpResponse<String> r = Quirks.http().send(Deployments.withKey(HttpRequest.newBuilder(
                Deployments.base(url).resolve("api/stats"))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Json.createReader(new StringReader(r.body())).readObject();
    }

    /**
     * Polls the stats until {@code condition} holds or {@code millis} pass, and returns the last either way: the
     * caller asserts the outcome.
     */
    static JsonObject when(URL url, Predicate<JsonObject> condition, long millis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        JsonObject s = of(url);
        while (!condition.test(s) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50); // a poll interval, bounded by the deadline
            s = of(url);
        }
        return s;
    }

    /** A counter of {@code stats}. */
    static long number(JsonObject stats, String name) {
        return stats.getJsonNumber(name).longValue();
    }
}
