package dev.switchboard.rest;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.NotFoundException;

/**
 * Keeps the HTTP API where {@link SwitchboardApplication} is mapped: {@code /api}, or where the application's
 * {@code web.xml} maps the servlet named after it (Jakarta REST's servlet-mapping for an {@code Application} class,
 * which overrides {@code @ApplicationPath}). An application whose own JAX-RS {@code Application} lists no classes is
 * given every resource of the WAR, Switchboard's among them, under its own path; there they answer 404, as if absent.
 * Bound to every resource of the API ({@link ServedUnderApi}).
 */
@ServedUnderApi
@Interceptor
@Priority(Interceptor.Priority.LIBRARY_BEFORE)
public class ApiPathGuard {

    @Inject
    HttpServletRequest request;

    @AroundInvoke
    Object guard(InvocationContext invocation) throws Exception {
        if (!SwitchboardApplication.PATH.equals(request.getServletPath())
                && !SwitchboardApplication.class.getName().equals(request.getHttpServletMapping().getServletName())) {
            throw new NotFoundException();
        }
        return invocation.proceed();
    }
}
