package dev.switchboard.rest;

import dev.switchboard.telemetry.StatsView;
import dev.switchboard.protocol.Codec;
import dev.switchboard.security.ApiAccess;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /api/stats}: this node's counters as JSON, for a server key or a user with {@code switchboard.monitor.role}
 * (401 / 403 otherwise; 429 over the API rate).
 */
@Path("stats")
@RequestScoped
@ServedUnderApi
public class StatsResource {

    @Inject
    StatsView stats;

    @Inject
    ApiAccess access;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response stats(@Context HttpServletRequest request) {
        Response refused = Operations.refusal(access, request);
        return refused != null ? refused : Response.ok(Codec.jsonb().toJson(stats.stats())).build();
    }
}
