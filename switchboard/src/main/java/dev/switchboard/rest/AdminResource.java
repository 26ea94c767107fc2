package dev.switchboard.rest;

import dev.switchboard.engine.NodeAdmin;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.RoomNames;
import dev.switchboard.security.ApiAccess;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * The admin API, for a server key or a user with {@code switchboard.auth.admin-role} (401 / 403 otherwise; 429 over
 * the API rate; 400 {@code invalid} for a bad room or user name). Rooms and users go in the query, never the path
 * (GlassFish answers 500 to a ':' in any path: exousia issue 37).
 * <ul>
 *   <li>{@code GET /api/admin/rooms}: every room on this node — members (here and on other nodes), latest offset,
 *       epoch, history held here in messages and bytes, slow-consumer policy.</li>
 *   <li>{@code GET /api/admin/room?room=}: one room (404 when this node holds none of that name).</li>
 *   <li>{@code GET /api/admin/connections?user=}: a user's connections — on this node each one's endpoint, rooms,
 *       queue depth and state; with a cluster, how many each live node holds.</li>
 *   <li>{@code DELETE /api/admin/room/members?room=&user=}: removes the user from the room on every node;
 *       {@code DELETE /api/admin/room?room=}: removes every member (closes the room). /ws clients get {@code left}
 *       without {@code re}; plain room sockets are closed with 4403.</li>
 *   <li>{@code POST /api/admin/drain} / {@code DELETE /api/admin/drain}: this node stops / resumes taking
 *       connections (readiness DOWN while drained; new handshakes refused with 503).</li>
 *   <li>{@code POST /api/admin/reconnect}: closes every connection on this node with 1012, after what is queued for
 *       each; clients reconnect and recover with {@code since} (with a drain first, on other nodes). Answers
 *       {@code {"closed": n}}.</li>
 * </ul>
 * Disconnecting a user is {@code DELETE /api/users/{user}/sessions} ({@link SessionsResource}).
 */
@Path("admin")
@RequestScoped
@ServedUnderApi
public class AdminResource {

    /** Longest user name the admin API takes (names come from the identity store or tokens). */
    private static final int MAX_USER_LENGTH = 256;

    @Inject
    NodeAdmin admin;

    @Inject
    ApiAccess access;

    @GET
    @Path("rooms")
    @Produces(MediaType.APPLICATION_JSON)
    public Response rooms(@Context HttpServletRequest request) {
        Response refused = Operations.adminRefusal(access, request);
        if (refused != null) {
            return refused;
        }
        return Response.ok(Codec.jsonb().toJson(Map.of("node", admin.node(), "rooms", admin.roomViews()))).build();
    }

    @GET
    @Path("room")
    @Produces(MediaType.APPLICATION_JSON)
    public Response room(@QueryParam("room") String room, @Context HttpServletRequest request) {
        Response refused = refusal(request, room == null ? "" : room, null);
        if (refused != null) {
            return refused;
        }
        return admin.roomView(room).map(v -> Response.ok(Codec.jsonb().toJson(v)).build())
                .orElseGet(() -> ApiResponses.error(404, ErrorCode.INVALID, "no room '" + room + "' on this node",
                        Map.of("room", "unknown")));
    }

    @GET
    @Path("connections")
    @Produces(MediaType.APPLICATION_JSON)
    public Response connections(@QueryParam("user") String user, @Context HttpServletRequest request) {
        Response refused = refusal(request, null, user == null ? "" : user);
        if (refused != null) {
            return refused;
        }
        return Response.ok(Codec.jsonb().toJson(admin.user(user))).build();
    }

    @DELETE
    @Path("room")
    @Produces(MediaType.APPLICATION_JSON)
    public Response close(@QueryParam("room") String room, @Context HttpServletRequest request) {
        Response refused = refusal(request, room == null ? "" : room, null);
        if (refused != null) {
            return refused;
        }
        int removed = admin.removeFromRoom(room, null);
        return Response.ok(Codec.json().createObjectBuilder().add("room", room).add("removedHere", removed).build()
                .toString()).build();
    }

    @DELETE
    @Path("room/members")
    @Produces(MediaType.APPLICATION_JSON)
    public Response remove(@QueryParam("room") String room, @QueryParam("user") String user,
                           @Context HttpServletRequest request) {
        Response refused = refusal(request, room == null ? "" : room, user == null ? "" : user);
        if (refused != null) {
            return refused;
        }
        int removed = admin.removeFromRoom(room, user);
        return Response.ok(Codec.json().createObjectBuilder().add("room", room).add("user", user)
                .add("removedHere", removed).build().toString()).build();
    }

    @POST
    @Path("drain")
    @Produces(MediaType.APPLICATION_JSON)
    public Response drain(@Context HttpServletRequest request) {
        return drained(request, true);
    }

    @DELETE
    @Path("drain")
    @Produces(MediaType.APPLICATION_JSON)
    public Response undrain(@Context HttpServletRequest request) {
        return drained(request, false);
    }

    private Response drained(HttpServletRequest request, boolean on) {
        Response refused = Operations.adminRefusal(access, request);
        if (refused != null) {
            return refused;
        }
        admin.drain(on);
        return Response.ok(Codec.json().createObjectBuilder().add("draining", admin.draining()).build().toString()).build();
    }

    @POST
    @Path("reconnect")
    @Produces(MediaType.APPLICATION_JSON)
    public Response reconnect(@Context HttpServletRequest request) {
        Response refused = Operations.adminRefusal(access, request);
        if (refused != null) {
            return refused;
        }
        return Response.ok(Codec.json().createObjectBuilder().add("closed", admin.reconnectAll()).build().toString()).build();
    }

    /** 401/429/403 as {@link Operations#adminRefusal}, then 400 for a room ({@code room} non-null) or user that is not a name. */
    private Response refusal(HttpServletRequest request, String room, String user) {
        Response refused = Operations.adminRefusal(access, request);
        if (refused != null) {
            return refused;
        }
        if (room != null && !RoomNames.isValid(room)) {
            return ApiResponses.error(400, ErrorCode.INVALID, "not a room name: " + RoomNames.RULE, Map.of("room", "invalid"));
        }
        if (user != null && (user.isBlank() || user.length() > MAX_USER_LENGTH)) {
            return ApiResponses.error(400, ErrorCode.INVALID, "user: 1-" + MAX_USER_LENGTH + " characters",
                    Map.of("user", "invalid"));
        }
        return null;
    }
}
