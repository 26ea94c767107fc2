package dev.switchboard.rest;

import dev.switchboard.web.Monitor;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /api/monitor/marks} with a short text body writes an operator's mark into the server log ("deploy
 * started"), which every {@code /ws/monitor} subscriber then sees. At most 200 characters, control characters
 * removed.
 */
@Path("monitor")
@RequestScoped
public class MonitorResource {

    @Inject
    Monitor monitor;

    @POST
    @Path("marks")
    @Consumes({MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON, MediaType.WILDCARD})
    public Response mark(String text) {
        if (text == null || text.isBlank()) {
            return Response.status(Response.Status.BAD_REQUEST).entity("a mark needs some text").type(MediaType.TEXT_PLAIN).build();
        }
        String clean = text.replaceAll("\\p{Cntrl}", " ").strip();
        monitor.mark(clean.length() > 200 ? clean.substring(0, 200) : clean);
        return Response.noContent().build();
    }
}
