package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Traces of publications through the container's OpenTelemetry (MicroProfile Telemetry), its SDK switched on by the
 * WAR's settings with the logging exporter: an HTTP publish carrying a W3C {@code traceparent} is one trace — the
 * container's request span, our publish, our fan-out — and a socket's publish starts a trace of its own. Every server
 * runs the publishes (tracing switched on must not break them); the spans are read where a server writes them
 * ({@link Quirks#spanLog()}: Open Liberty's messages.log). Across nodes: TracingTest.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TracingIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("tracing-it", Deployments.TEST_RATE + "otel.sdk.disabled=false\n"
                + "otel.service.name=switchboard-tracing-it\notel.traces.exporter=logging\notel.metrics.exporter=none\n"
                + "otel.logs.exporter=none\notel.bsp.schedule.delay=100\n");
    }

    @ArquillianResource
    URL url;

    @Test
    void aPublishIsOneTraceFromTheRequestThroughTheRoomToTheFanOut() throws Exception {
        String room = "traced-" + UUID.randomUUID().toString().substring(0, 6);
        String traceId = HexFormat.of().formatHex(randomBytes(16));
        try (WsClient member = WsClient.connect(Deployments.ws(url))) {
            member.send(msg("join", "j", "room", room));
            member.expect("joined");
            HttpResponse<String> published = Quirks.http().send(Deployments.withKey(HttpRequest.newBuilder(
                    Deployments.base(url).resolve("api/rooms/" + room + "/messages")))
                    .header("Content-Type", "application/json")
                    .header("traceparent", "00-" + traceId + "-" + HexFormat.of().formatHex(randomBytes(8)) + "-01")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"traced\":true}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, published.statusCode(), published.body());
            assertTrue(member.expect("message").getJsonObject("data").getBoolean("traced"), "delivered with tracing on");
            member.send(msg("publish", "p", "room", room, "data", Json.createValue("from the socket")));
            member.skipTo("ack");

            Path log = Quirks.spanLog();
            Assumptions.assumeTrue(log != null, "the spans of " + Quirks.launch() + " are not written where the suite reads "
                    + "(Quirks.spanLog): the publishes above are what this server checks");
            List<String> ours = awaitSpans(log, traceId, 2);
            assertTrue(ours.stream().anyMatch(l -> l.contains("'switchboard publish'") && l.contains("switchboard.via=api")),
                    "the publish continues the caller's trace: " + ours);
            assertTrue(ours.stream().anyMatch(l -> l.contains("'switchboard fan-out'") && l.contains("switchboard.members=1")),
                    "the fan-out is in the same trace: " + ours);

            // the socket's publish: a trace of its own, with its fan-out in it
            String socketPublish = awaitLine(log, l -> l.contains("'switchboard publish'") && l.contains("switchboard.via=socket")
                    && l.contains(room));
            String socketTrace = traceIdOf(socketPublish);
            assertTrue(!socketTrace.equals(traceId), "a socket's publish starts a new trace");
            awaitSpans(log, socketTrace, 2);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] |= 1; // never all zero (an invalid id)
        return b;
    }

    /** The logging exporter's line: {@code 'name' : <traceId> <spanId> KIND [tracer: …] AttributesMap{…}}. */
    private static final Pattern SPAN = Pattern.compile("'([^']+)' : ([0-9a-f]{32}) ([0-9a-f]{16}) ([A-Z]+)");

    private static String traceIdOf(String line) {
        Matcher m = SPAN.matcher(line);
        assertTrue(m.find(), "a span line: " + line);
        return m.group(2);
    }

    /** Waits (bounded: 20 s) for at least {@code count} of our spans of trace {@code traceId} in {@code log}. */
    private static List<String> awaitSpans(Path log, String traceId, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<String> ours = List.of();
        while (System.nanoTime() < deadline) {
            ours = lines(log).stream().filter(l -> l.contains(traceId) && l.contains("'switchboard ")).toList();
            if (ours.size() >= count) {
                return ours;
            }
            TimeUnit.MILLISECONDS.sleep(100); // bounded poll of the server's log
        }
        throw new AssertionError("fewer than " + count + " spans of trace " + traceId + " in " + log + " within 20 s: " + ours);
    }

    private static String awaitLine(Path log, java.util.function.Predicate<String> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (String l : lines(log)) {
                if (wanted.test(l)) {
                    return l;
                }
            }
            TimeUnit.MILLISECONDS.sleep(100); // bounded poll of the server's log
        }
        throw new AssertionError("no such span line in " + log + " within 20 s");
    }

    private static List<String> lines(Path log) throws java.io.IOException {
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    }
}
