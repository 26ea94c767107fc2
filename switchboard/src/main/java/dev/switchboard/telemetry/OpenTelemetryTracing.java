package dev.switchboard.telemetry;

import dev.switchboard.engine.Tracing;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Map;

/**
 * {@link Tracing} on OpenTelemetry's API: the container's (MicroProfile Telemetry: Payara, Open Liberty) or a
 * test's SDK. Loaded only when the API is on the class path ({@code cdi.TracingProducer}): no other class of the product
 * names an OpenTelemetry type. Spans: {@code switchboard publish} (SERVER for a socket's publish, a child of the
 * HTTP request's span for the API's), {@code switchboard deliver} (CONSUMER, on every node the shared log delivers
 * to), {@code switchboard fan-out} (INTERNAL); attributes {@code switchboard.room}, {@code switchboard.via},
 * {@code switchboard.offset}, {@code switchboard.members}.
 */
public final class OpenTelemetryTracing implements Tracing {

    private static final String TRACEPARENT = "traceparent";
    private static final TextMapGetter<Map<String, String>> FROM_MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;

    public OpenTelemetryTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public boolean on() {
        return true;
    }

    @Override
    public Span publish(String room, String via) {
        boolean child = io.opentelemetry.api.trace.Span.current().getSpanContext().isValid();
        return open(tracer.spanBuilder("switchboard publish").setSpanKind(child ? SpanKind.INTERNAL : SpanKind.SERVER)
                .setAttribute("switchboard.room", room).setAttribute("switchboard.via", via).startSpan());
    }

    @Override
    public String traceparent() {
        String[] value = new String[1];
        W3CTraceContextPropagator.getInstance().inject(Context.current(), value, (carrier, key, v) -> {
            if (TRACEPARENT.equals(key) && carrier != null) {
                carrier[0] = v;
            }
        });
        return value[0];
    }

    @Override
    public Span deliver(String room, long offset, String traceparent) {
        Context parent = traceparent == null ? Context.root() : W3CTraceContextPropagator.getInstance()
                .extract(Context.root(), Map.of(TRACEPARENT, traceparent), FROM_MAP);
        return open(tracer.spanBuilder("switchboard deliver").setParent(parent).setSpanKind(SpanKind.CONSUMER)
                .setAttribute("switchboard.room", room).setAttribute("switchboard.offset", offset).startSpan());
    }

    @Override
    public Span fanOut(String room, int members) {
        return open(tracer.spanBuilder("switchboard fan-out").setSpanKind(SpanKind.INTERNAL)
                .setAttribute("switchboard.room", room).setAttribute("switchboard.members", (long) members).startSpan());
    }

    private static Span open(io.opentelemetry.api.trace.Span span) {
        Scope scope = span.makeCurrent();
        return new Span() {
            @Override
            public void offset(long offset) {
                span.setAttribute("switchboard.offset", offset);
            }

            @Override
            public void refused(String code) {
                span.setStatus(StatusCode.ERROR, code);
            }

            @Override
            public void close() {
                scope.close();
                span.end();
            }
        };
    }

    /**
     * {@code openTelemetry}'s tracer, or {@link Tracing#OFF} when its SDK is disabled ({@code otel.sdk.disabled=true},
     * MicroProfile Telemetry's default: its tracer hands out spans with no valid context — the probe below is one,
     * never ended, so never exported).
     */
    public static Tracing of(io.opentelemetry.api.OpenTelemetry openTelemetry) {
        Tracer tracer = openTelemetry.getTracer("dev.switchboard");
        boolean enabled = tracer.spanBuilder("switchboard probe").startSpan().getSpanContext().isValid();
        return enabled ? new OpenTelemetryTracing(tracer) : OFF;
    }
}
