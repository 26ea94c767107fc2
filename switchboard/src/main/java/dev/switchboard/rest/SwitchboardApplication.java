package dev.switchboard.rest;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/**
 * The HTTP API under {@code /api}: exactly these classes, never the application's own resources and providers (an
 * {@code Application} with no classes gets every resource of the WAR). The reverse — an application's own
 * {@code Application} that lists nothing picks these resources up under its own path — is refused by
 * {@link ApiPathGuard}, and {@link UnexpectedFailures} is not a scanned {@code @Provider}, so it never maps the
 * application's exceptions.
 */
@ApplicationPath(SwitchboardApplication.PATH)
public class SwitchboardApplication extends Application {

    /** Where the HTTP API is served, relative to the application's context root. */
    public static final String PATH = "/api";

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(AdminResource.class, AsyncApiResource.class, HealthResource.class, LogoutResource.class, MetricsResource.class,
                MonitorResource.class, RoomsResource.class, SessionsResource.class, StatsResource.class,
                TicketsResource.class, UnexpectedFailures.class);
    }
}
