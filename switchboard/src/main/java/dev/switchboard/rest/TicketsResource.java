package dev.switchboard.rest;

import dev.switchboard.protocol.Codec;
import dev.switchboard.security.Caller;
import dev.switchboard.security.SwitchboardAuthenticationMechanism;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Context;
import dev.switchboard.security.Tickets;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /api/tickets}: a signed-in caller (Basic or Bearer) gets a single-use ticket, valid 30 s, to present
 * in its WebSocket handshake as the subprotocol {@code ticket.<ticket>}. Guests get 401.
 */
@Path("tickets")
@RequestScoped
@ServedUnderApi
public class TicketsResource {

    @Inject
    Tickets tickets;

    @Inject
    dev.switchboard.security.ApiAccess access;

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Response issue(@Context HttpServletRequest request) {
        // Container quirk (WildFly): an unauthenticated request has an 'anonymous' caller principal, so the caller
        // is taken from what SwitchboardAuthenticationMechanism established for this request, not the principal.
        Caller caller = access.callerOf(request);
        if (caller == null) {
            return Response.status(Response.Status.UNAUTHORIZED).header("WWW-Authenticate", SwitchboardAuthenticationMechanism.CHALLENGE).build();
        }
        return Response.ok(Codec.json().createObjectBuilder().add("ticket", tickets.issue(caller)).add("expiresInSeconds", 30)
                .add("user", caller.name()).build().toString()).build();
    }
}
