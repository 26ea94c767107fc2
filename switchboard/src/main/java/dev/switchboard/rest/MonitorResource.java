package dev.switchboard.rest;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.security.ApiAccess;
import dev.switchboard.web.Monitor;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code POST /api/monitor/marks} with a short text body writes an operator's mark into the server log ("deploy
 * started"), which every {@code /ws/monitor} subscriber then sees. At most 200 characters are kept, control characters
 * removed; a body over 4 KB gets 413. For a server key or {@code switchboard.monitor.role} (401 / 403 otherwise).
 */
@Path("monitor")
@RequestScoped
@ServedUnderApi
public class MonitorResource {

    private static final int MAX_BODY = 4096;

    @Inject
    Monitor monitor;

    @Inject
    ApiAccess access;

    @POST
    @Path("marks")
    @Consumes({MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON, MediaType.WILDCARD})
    public Response mark(@Context HttpServletRequest request, InputStream entity) throws IOException {
        Response refused = Operations.refusal(access, request);
        if (refused != null) {
            return refused;
        }
        String text = ApiResponses.body(request, entity, MAX_BODY);
        if (text == null) {
            return ApiResponses.tooBig(MAX_BODY);
        }
        if (text.isBlank()) {
            return ApiResponses.error(400, ErrorCode.INVALID, "a mark needs some text", null);
        }
        String clean = text.replaceAll("\\p{Cntrl}", " ").strip();
        monitor.mark(clean.length() > 200 ? clean.substring(0, 200) : clean);
        return Response.noContent().build();
    }
}
