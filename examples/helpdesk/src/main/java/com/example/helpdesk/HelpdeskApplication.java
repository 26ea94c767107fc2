package com.example.helpdesk;

import jakarta.annotation.security.DeclareRoles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.enterprise.authentication.mechanism.http.BasicAuthenticationMechanismDefinition;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The help desk's own HTTP API under {@code /app}, and its own authentication: HTTP Basic against
 * {@link HelpdeskUsers}. An {@code Application} that lists nothing: the container gives it every resource of the WAR
 * (Switchboard's answer 404 here; they are served under {@code /api}).
 */
@ApplicationPath("/app")
@ApplicationScoped // a bean, so that CDI (and Jakarta Security) see the mechanism's definition in an annotated archive
@BasicAuthenticationMechanismDefinition(realmName = "helpdesk")
@DeclareRoles({"agent", "customer"})
public class HelpdeskApplication extends Application {
}
