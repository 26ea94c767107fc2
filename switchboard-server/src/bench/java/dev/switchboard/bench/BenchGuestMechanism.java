package dev.switchboard.bench;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The benchmark's variant {@code bare-secured}: the cheapest authentication mechanism there is (every request goes on
 * as a guest), so that the floor's application uses Jakarta Security as Switchboard's does and pays the container's
 * runtime around it (JASPIC, the mechanism's lookup) on every request. Deployed in {@code secured.war}, never shipped.
 */
@ApplicationScoped
public class BenchGuestMechanism implements HttpAuthenticationMechanism {

    @Override
    public AuthenticationStatus validateRequest(HttpServletRequest request, HttpServletResponse response,
                                                HttpMessageContext context) {
        return context.doNothing();
    }
}
