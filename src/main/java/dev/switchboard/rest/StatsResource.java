package dev.switchboard.rest;

import dev.switchboard.engine.Hub;
import dev.switchboard.protocol.Codec;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/stats}: this node's counters as JSON. */
@Path("stats")
@RequestScoped
public class StatsResource {

    @Inject
    Hub hub;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String stats() {
        return Codec.jsonb().toJson(hub.stats());
    }
}
