package dev.switchboard.rest;

import dev.switchboard.protocol.ErrorCode;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP API's answer to a failure nobody planned for: 500 with a typed {@code internal} error naming an incident,
 * and the cause logged (SEVERE) under the same incident, so that a caller can quote it and an operator find it. The
 * cause itself never goes to the caller. The container's own answers (404, 405, 415, … as
 * {@link WebApplicationException}) pass through unchanged.
 */

// not a scanned @Provider: registered by SwitchboardApplication only, so it never maps the application's own exceptions
public class UnexpectedFailures implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(UnexpectedFailures.class.getName());

    @Context
    UriInfo uri;

    @Override
    public Response toResponse(Throwable failure) {
        if (failure instanceof WebApplicationException planned) {
            return planned.getResponse();
        }
        String incident = UUID.randomUUID().toString().substring(0, 8);
        LOG.log(Level.SEVERE, "Incident " + incident + " answering /api/" + (uri == null ? "?" : uri.getPath()), failure);
        return ApiResponses.error(500, ErrorCode.INTERNAL,
                "an unexpected failure, logged on the server as incident " + incident, null);
    }
}
