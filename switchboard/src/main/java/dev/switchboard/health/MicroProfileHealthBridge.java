package dev.switchboard.health;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.Extension;
import java.util.logging.Logger;

/**
 * Registers the engine's liveness and readiness checks with MicroProfile Health when the container has it (Payara,
 * Open Liberty with {@code mpHealth-4.0}): a Kubernetes probe may then ask the container's own {@code /health/live}
 * and {@code /health/ready} (with every other application's checks) as well as {@code /api/health/…}. The API is
 * looked for by name first: this extension names none of its types, {@link MicroProfileHealthChecks} does, and is
 * loaded only when the API is there (GlassFish and WildFly's default configuration have none).
 */
public class MicroProfileHealthBridge implements Extension {

    private static final Logger LOG = Logger.getLogger(MicroProfileHealthBridge.class.getName());

    void register(@Observes AfterBeanDiscovery discovery, BeanManager beans) {
        try {
            Class.forName("org.eclipse.microprofile.health.HealthCheck", false, MicroProfileHealthBridge.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.fine("No MicroProfile Health in this container: the probes are /api/health/live and /api/health/ready");
            return;
        }
        MicroProfileHealthChecks.register(discovery, beans);
    }
}
