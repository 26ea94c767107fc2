package dev.switchboard.cdi;

import dev.switchboard.engine.Tracing;
import dev.switchboard.telemetry.OpenTelemetryTracing;
import io.opentelemetry.api.OpenTelemetry;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.CDI;

/**
 * The container's OpenTelemetry (MicroProfile Telemetry's {@code OpenTelemetry} bean). Names OpenTelemetry's types:
 * loaded only after {@link TracingProducer} found the API on the class path (GlassFish, and WildFly without its
 * OpenTelemetry subsystem, have none).
 */
final class ContainerOpenTelemetry {

    private ContainerOpenTelemetry() {
    }

    /** Tracing on the container's OpenTelemetry, or {@link Tracing#OFF} when it has none or its SDK is disabled. */
    static Tracing tracing() {
        Instance<OpenTelemetry> found = CDI.current().select(OpenTelemetry.class);
        return found.isResolvable() ? OpenTelemetryTracing.of(found.get()) : Tracing.OFF;
    }
}
