package dev.switchboard.rest;

import dev.switchboard.config.SocketPaths;
import dev.switchboard.protocol.AsyncApi;
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
 * {@code GET /api/asyncapi.json}: the protocol as an AsyncAPI 3.0 document ({@link AsyncApi}), with the application's
 * typed rooms and requests, addressed to the host and path the caller reached. For a server key or a user with
 * {@code switchboard.monitor.role}, as the other operations surfaces (401 / 403 otherwise; 429 over the API rate): it
 * names the application's room classes and methods.
 */
@Path("asyncapi.json")
@RequestScoped
@ServedUnderApi
public class AsyncApiResource {

    @Inject
    ApiAccess access;

    @Inject
    AsyncApi.Typed typed;

    @Inject
    SocketPaths paths;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response document(@Context HttpServletRequest request) {
        Response refused = Operations.refusal(access, request);
        if (refused != null) {
            return refused;
        }
        String version = AsyncApi.class.getPackage().getImplementationVersion();
        return Response.ok(AsyncApi.document(version == null ? "development" : version,
                request.getServerName() + ":" + request.getServerPort(), request.getContextPath() + paths.socket(),
                request.isSecure(), typed.rooms(), typed.requests()).toString()).build();
    }
}
