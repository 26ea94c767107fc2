package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import dev.switchboard.protocol.ClientMessage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import jakarta.json.Json;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The trace of a publication, recorded by OpenTelemetry's own SDK: one trace from the publish, through the room, to
 * the fan-out on every node — the other node continuing it from the W3C trace context the shared log carries.
 * (Every other engine test runs with {@link Tracing#OFF}, whose span methods throw: no trace work happens when off.)
 */
class TracingTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final AttributeKey<String> ROOM = AttributeKey.stringKey("switchboard.room");
    private static final AttributeKey<Long> OFFSET = AttributeKey.longKey("switchboard.offset");
    private static final AttributeKey<Long> MEMBERS = AttributeKey.longKey("switchboard.members");

    private final EngineFixture fixture = new EngineFixture();
    private final MemoryBus bus = new MemoryBus(fixture);
    private final List<SpanData> spans = new CopyOnWriteArrayList<>();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> ended) {
                    spans.addAll(ended);
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            })).build();
    private final Settings settings = EngineFixture.settings().queue(1000)
            .room(new RoomPolicy(100, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0)).build();

    @AfterEach
    void stop() {
        bus.close();
        fixture.close();
        provider.close();
    }

    private Tracing tracing() {
        return new dev.switchboard.telemetry.OpenTelemetryTracing(provider.get("test"));
    }

    private List<SpanData> named(String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).toList();
    }

    @Test
    void aPublishOnOneNodeIsOneTraceThroughTheFanOutOnEveryNode() throws Exception {
        Hub a = bus.node("a", settings, tracing());
        Hub b = bus.node("b", settings, tracing());
        Connection publisher = a.open(TestTransport.inline(), "pat", "/ws", false);
        assertTrue(a.join(publisher, "j", "traced", null, null));
        TestTransport onB = TestTransport.async(fixture.completer);
        Connection memberB = b.open(onB, "ben", "/ws", false);
        assertTrue(b.join(memberB, "j", "traced", null, null));

        a.dispatch(publisher, new ClientMessage.Publish("p1", "traced", Json.createValue("hello"), null, null));
        EngineFixture.within(WAIT, () -> named("switchboard deliver").size() >= 2 && named("switchboard fan-out").size() >= 2,
                () -> spans);

        SpanData publish = named("switchboard publish").get(0);
        assertEquals(SpanKind.SERVER, publish.getKind(), "a socket's publish starts the trace");
        assertEquals("traced", publish.getAttributes().get(ROOM));
        assertEquals(1L, publish.getAttributes().get(OFFSET));
        String trace = publish.getTraceId();
        List<SpanData> deliveries = named("switchboard deliver");
        assertEquals(2, deliveries.size(), "delivered on both nodes: " + spans);
        for (SpanData deliver : deliveries) {
            assertEquals(trace, deliver.getTraceId(), "the same trace on every node: " + deliver);
            assertEquals(publish.getSpanId(), deliver.getParentSpanId(), "continued from the cluster message's context");
            assertEquals(SpanKind.CONSUMER, deliver.getKind());
            assertEquals(List.of("switchboard.offset", "switchboard.room"), deliver.getAttributes().asMap().keySet().stream()
                    .map(AttributeKey::getKey).sorted().toList(), "our attributes only (no metrics exemplar marks)");
        }
        for (SpanData fanOut : named("switchboard fan-out")) {
            assertEquals(trace, fanOut.getTraceId());
            assertTrue(deliveries.stream().anyMatch(d -> d.getSpanId().equals(fanOut.getParentSpanId())),
                    "each fan-out is a child of its node's delivery: " + fanOut);
            assertEquals(1L, fanOut.getAttributes().get(MEMBERS));
        }
    }

    @Test
    void aPublishByTheApplicationContinuesTheCallersTraceOnOneNode() throws Exception {
        Hub hub = new Hub(settings, fixture.writers, fixture.timers, fixture.writers, e -> { }, List.of(),
                (caller, action, room) -> true, new dev.switchboard.cluster.LocalCluster(),
                new dev.switchboard.cluster.MemoryLogStore(), tracing(), fixture.background);
        TestTransport member = TestTransport.inline();
        assertTrue(hub.join(hub.open(member, "ann", "/ws", false), "j", "local", null, null));
        io.opentelemetry.api.trace.Span request = provider.get("test").spanBuilder("POST /api/rooms/local/messages")
                .setSpanKind(SpanKind.SERVER).startSpan();
        try (var scope = request.makeCurrent()) {
            hub.publish("local", Json.createValue(1));
        } finally {
            request.end();
        }
        SpanData publish = named("switchboard publish").get(0);
        assertEquals(request.getSpanContext().getTraceId(), publish.getTraceId(), "a child of the HTTP request's span");
        assertEquals(request.getSpanContext().getSpanId(), publish.getParentSpanId());
        assertEquals(SpanKind.INTERNAL, publish.getKind());
        SpanData fanOut = named("switchboard fan-out").get(0);
        assertEquals(publish.getSpanId(), fanOut.getParentSpanId(), "the one-node fan-out is the publish's child");
        assertNotNull(fanOut.getAttributes().get(ROOM));
    }

    @Test
    void untracedPublicationsCarryNoTraceContext() {
        assertTrue(!SharedPayload.encode("x", 1, Json.createValue(1), null, null).contains("\"tp\""));
        String traced = SharedPayload.encode("x", 1, Json.createValue(1), null, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertEquals("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                SharedPayload.decode("r", "e", 1, traced).traceparent());
    }
}
