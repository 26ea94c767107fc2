package dev.switchboard.cdi;

import dev.switchboard.engine.Tracing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * Chooses the engine's {@link Tracing}: OpenTelemetry when the container provides MicroProfile Telemetry with its SDK
 * enabled ({@code otel.sdk.disabled=false}, README "Operations") and {@code switchboard.tracing} is not
 * {@code false}; otherwise {@link Tracing#OFF}. The OpenTelemetry API is looked for by name before any class that
 * names it is touched: GlassFish, and WildFly without its OpenTelemetry subsystem, have none.
 */
@ApplicationScoped
class TracingProducer {

    private static final Logger LOG = Logger.getLogger(TracingProducer.class.getName());

    /** Dependent: the engine holds the instance itself, no client proxy between a publish and {@link Tracing#on()}. */
    @Produces
    Tracing tracing(Config config) {
        if (!config.getOptionalValue("switchboard.tracing", Boolean.class).orElse(true)) {
            return Tracing.OFF;
        }
        try {
            Class.forName("io.opentelemetry.api.OpenTelemetry", false, TracingProducer.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.fine("No OpenTelemetry API in this container: publications are not traced");
            return Tracing.OFF;
        }
        Tracing tracing = ContainerOpenTelemetry.tracing();
        LOG.log(Level.INFO, tracing.on() ? "Tracing publications with the container's OpenTelemetry"
                : "The container's OpenTelemetry SDK is disabled (otel.sdk.disabled): publications are not traced");
        return tracing;
    }
}
