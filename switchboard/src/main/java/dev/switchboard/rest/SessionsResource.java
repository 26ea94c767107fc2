package dev.switchboard.rest;

import dev.switchboard.protocol.Codec;
import dev.switchboard.CloseCodes;
import dev.switchboard.Switchboard;
import dev.switchboard.security.Caller;
import dev.switchboard.security.Revocations;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Ending sessions. {@code POST /api/logout}: the signed-in caller's credentials issued until now are revoked, its
 * HTTP session (if any) invalidated, and every WebSocket of that user closed with 1008 at once.
 * {@code DELETE /api/users/{user}/sessions}: the same for another user, for callers with the role in
 * {@code switchboard.auth.admin-role} (default {@code admin}).
 */
@Path("users")
@RequestScoped
@ServedUnderApi
public class SessionsResource {

    @Inject
    Switchboard switchboard;

    @Inject
    dev.switchboard.security.ApiAccess access;

    @Inject
    Revocations revocations;

    @Inject
    dev.switchboard.security.Tickets tickets;

    @Inject
    org.eclipse.microprofile.config.Config config;

    /** {@code POST /api/users/me/logout}, also reachable as {@code POST /api/logout} ({@link LogoutResource}). */
    @POST
    @Path("me/logout")
    @Produces(MediaType.APPLICATION_JSON)
    public Response logout(@Context HttpServletRequest request) {
        Caller caller = access.callerOf(request);
        if (caller == null) {
            return Response.status(Response.Status.UNAUTHORIZED).build();
        }
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        return Response.ok(end(caller.name())).build();
    }

    @DELETE
    @Path("{user}/sessions")
    @Produces(MediaType.APPLICATION_JSON)
    public Response revoke(@PathParam("user") String user, @Context HttpServletRequest request) {
        Caller caller = access.callerOf(request);
        if (caller == null) {
            return Response.status(Response.Status.UNAUTHORIZED).build();
        }
        String adminRole = config.getOptionalValue("switchboard.auth.admin-role", String.class).orElse("admin");
        if (!caller.hasRole(adminRole)) {
            return Response.status(Response.Status.FORBIDDEN).build();
        }
        return Response.ok(end(user)).build();
    }

    private String end(String user) {
        revocations.revoke(user);
        tickets.revoke(user);
        int closed = switchboard.disconnect(user, CloseCodes.POLICY_VIOLATION, "signed out");
        return Codec.json().createObjectBuilder().add("user", user).add("closedConnections", closed).build().toString();
    }
}
