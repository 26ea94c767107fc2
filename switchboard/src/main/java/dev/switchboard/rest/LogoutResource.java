package dev.switchboard.rest;

import jakarta.inject.Inject;
import jakarta.enterprise.context.RequestScoped;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code POST /api/logout}: see {@link SessionsResource#logout}. */
@Path("logout")
@RequestScoped
@ServedUnderApi
public class LogoutResource {

    @Inject
    SessionsResource sessions;

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Response logout(@Context HttpServletRequest request) {
        return sessions.logout(request);
    }
}
