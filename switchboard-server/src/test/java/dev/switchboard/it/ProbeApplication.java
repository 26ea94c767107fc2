package dev.switchboard.it;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/**
 * Test-only: the JAX-RS application of the tests' own {@link EventProbe}, as a user's application has its own (the
 * library's HTTP API under /api serves its own resources only).
 */
@ApplicationPath("/probe-api")
public class ProbeApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(EventProbe.class);
    }
}
