package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Traces of publications through the container's OpenTelemetry (MicroProfile Telemetry), its SDK switched on by the
 * WAR's settings and exporting over OTLP (HTTP, protobuf) to a receiver in this test — as a user's collector would get
 * them: an HTTP publish carrying a W3C {@code traceparent} is one trace — the container's request span, our publish
 * under it, our fan-out under that — and a socket's publish starts a trace of its own (its publish the SERVER span).
 * Every server runs the publishes (tracing switched on must not break them); the spans are asserted where the
 * container has OpenTelemetry ({@link Quirks#hasOpenTelemetry()}). Across nodes: TracingTest.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TracingIT {

    /** What the OTLP receiver was sent: every span, decoded from the protobuf bodies. */
    private static final List<Span> RECEIVED = new CopyOnWriteArrayList<>();
    private static final HttpServer RECEIVER = receiver();

    /** One span as OTLP carries it (opentelemetry-proto trace.proto: Span fields 1, 2, 4, 5, 6). */
    record Span(String traceId, String spanId, String parentSpanId, String name, int kind) {
        static final int SERVER = 2;
    }

    private static HttpServer receiver() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/v1/traces", exchange -> {
                try (exchange) {
                    RECEIVED.addAll(Otlp.spans(exchange.getRequestBody().readAllBytes()));
                    exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                    exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("tracing-it", Deployments.TEST_RATE + "otel.sdk.disabled=false\n"
                + "otel.service.name=switchboard-tracing-it\notel.traces.exporter=otlp\n"
                + "otel.exporter.otlp.traces.protocol=http/protobuf\n"
                + "otel.exporter.otlp.traces.endpoint=http://127.0.0.1:" + RECEIVER.getAddress().getPort() + "/v1/traces\n"
                + "otel.metrics.exporter=none\notel.logs.exporter=none\notel.bsp.schedule.delay=100\n");
    }

    @AfterAll
    static void stopReceiver() {
        RECEIVER.stop(0);
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

            Assumptions.assumeTrue(Quirks.hasOpenTelemetry(), Quirks.launch() + " provides no OpenTelemetry "
                    + "(Quirks.hasOpenTelemetry): the engine's tracing is off there, and the publishes above are what it checks");
            List<Span> trace = await(spans -> spans.stream().filter(s -> s.traceId().equals(traceId)).count() >= 3
                    && named(spans, "switchboard fan-out").stream().anyMatch(s -> s.traceId().equals(traceId)))
                    .stream().filter(s -> s.traceId().equals(traceId)).toList();
            Span request = trace.stream().filter(s -> s.kind() == Span.SERVER).findFirst()
                    .orElseThrow(() -> new AssertionError("the container's span of the request: " + trace));
            Span publish = one(trace, "switchboard publish");
            Span fanOut = one(trace, "switchboard fan-out");
            assertEquals(request.spanId(), publish.parentSpanId(), "the publish is a child of the request: " + trace);
            assertEquals(publish.spanId(), fanOut.parentSpanId(), "the fan-out is a child of the publish: " + trace);

            // the socket's publish: a trace of its own, its publish the server span, with its fan-out in it
            List<Span> all = await(spans -> named(spans, "switchboard publish").stream().anyMatch(s -> s.kind() == Span.SERVER
                    && named(spans, "switchboard fan-out").stream().anyMatch(f -> f.parentSpanId().equals(s.spanId()))));
            Span socket = named(all, "switchboard publish").stream().filter(s -> s.kind() == Span.SERVER).findFirst().orElseThrow();
            assertNotEquals(traceId, socket.traceId(), "a socket's publish starts a new trace");
            assertEquals("", socket.parentSpanId(), "it is the trace's root");
        }
    }

    private static List<Span> named(List<Span> spans, String name) {
        return spans.stream().filter(s -> s.name().equals(name)).toList();
    }

    private static Span one(List<Span> spans, String name) {
        List<Span> found = named(spans, name);
        assertEquals(1, found.size(), name + " once: " + spans);
        return found.get(0);
    }

    /** Waits (bounded: 20 s) until what the receiver got satisfies {@code done}; returns it. */
    private static List<Span> await(Predicate<List<Span>> done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.test(List.copyOf(RECEIVED))) {
            assertTrue(System.nanoTime() < deadline, "the spans never came within 20 s; received: " + RECEIVED);
            TimeUnit.MILLISECONDS.sleep(50); // bounded poll of what the receiver got
        }
        return List.copyOf(RECEIVED);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] |= 1; // never all zero (an invalid id)
        return b;
    }

    /**
     * Just enough of the protobuf wire format to read spans out of an {@code ExportTraceServiceRequest}: resource_spans
     * (1) → scope_spans (2) → spans (2) → trace_id (1), span_id (2), parent_span_id (4), name (5), kind (6).
     */
    static final class Otlp {
        private final byte[] b;
        private int at;
        private final int end;

        private Otlp(byte[] b, int from, int end) {
            this.b = b;
            this.at = from;
            this.end = end;
        }

        static List<Span> spans(byte[] request) {
            List<Span> spans = new ArrayList<>();
            Otlp top = new Otlp(request, 0, request.length);
            while (top.more()) {
                Otlp resourceSpans = top.field(1);
                while (resourceSpans != null && resourceSpans.more()) {
                    Otlp scopeSpans = resourceSpans.field(2);
                    while (scopeSpans != null && scopeSpans.more()) {
                        Otlp span = scopeSpans.field(2);
                        if (span != null) {
                            spans.add(span.span());
                        }
                    }
                }
            }
            return spans;
        }

        private boolean more() {
            return at < end;
        }

        /** The next field: a reader over its bytes when it is length-delimited field {@code number}, else null (skipped). */
        private Otlp field(int number) {
            long key = varint();
            int wire = (int) (key & 7);
            int field = (int) (key >>> 3);
            switch (wire) {
                case 0 -> varint();
                case 1 -> at += 8;
                case 5 -> at += 4;
                case 2 -> {
                    int length = (int) varint();
                    int from = at;
                    at += length;
                    return field == number ? new Otlp(b, from, from + length) : null;
                }
                default -> throw new IllegalStateException("wire type " + wire);
            }
            return null;
        }

        private Span span() {
            String trace = "";
            String id = "";
            String parent = "";
            String name = "";
            int kind = 0;
            while (more()) {
                long key = varint();
                int field = (int) (key >>> 3);
                int wire = (int) (key & 7);
                if (wire == 2) {
                    int length = (int) varint();
                    byte[] value = java.util.Arrays.copyOfRange(b, at, at + length);
                    at += length;
                    switch (field) {
                        case 1 -> trace = HexFormat.of().formatHex(value);
                        case 2 -> id = HexFormat.of().formatHex(value);
                        case 4 -> parent = HexFormat.of().formatHex(value);
                        case 5 -> name = new String(value, StandardCharsets.UTF_8);
                        default -> { }
                    }
                } else if (wire == 0) {
                    long v = varint();
                    if (field == 6) {
                        kind = (int) v;
                    }
                } else if (wire == 1) {
                    at += 8;
                } else if (wire == 5) {
                    at += 4;
                } else {
                    throw new IllegalStateException("wire type " + wire);
                }
            }
            return new Span(trace, id, parent, name, kind);
        }

        private long varint() {
            long value = 0;
            for (int shift = 0; ; shift += 7) {
                byte next = b[at++];
                value |= (long) (next & 0x7f) << shift;
                if (next >= 0) {
                    return value;
                }
            }
        }
    }
}
