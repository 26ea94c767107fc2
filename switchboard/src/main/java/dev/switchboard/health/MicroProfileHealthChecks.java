package dev.switchboard.health;

import dev.switchboard.telemetry.HealthChecks;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.CDI;
import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * The engine's checks as MicroProfile Health checks: one synthetic bean per check ({@code switchboard-writers},
 * {@code switchboard-sweep} for liveness; {@code switchboard-engine}, {@code switchboard-cluster} for readiness — the
 * cluster's is UP with {@code engine: memory} on a node without Redis), each asking {@link HealthChecks} when probed.
 */
final class MicroProfileHealthChecks {

    private MicroProfileHealthChecks() {
    }

    static void register(AfterBeanDiscovery discovery, BeanManager beans) {
        for (String name : List.of("switchboard-writers", "switchboard-sweep")) {
            add(discovery, beans, name, Liveness.Literal.INSTANCE, HealthChecks::liveness);
        }
        for (String name : List.of("switchboard-engine", "switchboard-cluster")) {
            add(discovery, beans, name, Readiness.Literal.INSTANCE, HealthChecks::readiness);
        }
    }

    /**
     * A check bean. The node's health checks are looked up when probed, through {@code CDI.current()}: the container makes these beans
     * with a bean manager of its own, in which the application's beans are not visible (Payara 6: WELD-001334 at
     * deployment when looked up there).
     */
    private static void add(AfterBeanDiscovery discovery, BeanManager beans, String name, Annotation kind,
                            Function<HealthChecks, List<HealthChecks.Check>> checks) {
        discovery.addBean().beanClass(MicroProfileHealthChecks.class).types(HealthCheck.class, Object.class)
                .qualifiers(kind, Any.Literal.INSTANCE).id("switchboard:" + name)
                .createWith(context -> (HealthCheck) () -> response(name, checks.apply(CDI.current().select(HealthChecks.class).get())));
    }

    private static HealthCheckResponse response(String name, List<HealthChecks.Check> checks) {
        HealthChecks.Check check = checks.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElse(new HealthChecks.Check(name, true, Map.of("engine", "memory")));
        HealthCheckResponseBuilder b = HealthCheckResponse.named(name).status(check.up());
        check.data().forEach((key, value) -> {
            if (value instanceof Boolean v) {
                b.withData(key, v);
            } else if (value instanceof Number v) {
                b.withData(key, v.longValue());
            } else {
                b.withData(key, String.valueOf(value));
            }
        });
        return b.build();
    }
}
