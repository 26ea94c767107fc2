package dev.switchboard.rest;

import dev.switchboard.Switchboard;
import dev.switchboard.config.Settings;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.RoomNames;
import dev.switchboard.security.ApiAccess;
import dev.switchboard.security.RoomAuthorizer;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The server API: {@code POST /api/rooms/{room}/messages} publishes the JSON body as the message's {@code data} (with
 * {@code ?tag.<name>=<value>}: its tags) and
 * answers 202 with {@code {room, epoch, offset}}; {@code GET /api/rooms/{room}/presence} lists the room's members;
 * {@code GET /api/rooms/history?room=…} answers a page of its history (as the socket's {@code history}).
 * The caller is a back-end with a server key, or a signed-in user whom the {@link RoomAuthorizer} lets publish into
 * (see the presence of) that room — the same rule as on the socket ({@link ApiAccess}). Refusals: 401
 * {@code unauthenticated}, 403 {@code forbidden}, 413 {@code too_big} (over {@code switchboard.max-message-bytes}),
 * 429 {@code rate_limited} (with {@code Retry-After}), 400 {@code invalid}/{@code bad_json}.
 */
@Path("rooms")
@RequestScoped
@ServedUnderApi
public class RoomsResource {

    /**
     * The request header that makes an HTTP publish idempotent: the same key from the same caller within the key
     * window answers 202 with the first publication and publishes nothing (a retry after a timeout is safe).
     */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    @Inject
    Switchboard switchboard;

    @Inject
    ApiAccess access;

    @Inject
    Settings settings;

    /**
     * {@code POST /api/rooms/messages?room=chat:lobby}: the same publish, the room in the query. For a room whose name
     * holds a ':' (a room class) on GlassFish 7.0.21, which answers 500 to any request whose path holds one, encoded
     * or not, before the application sees it (its JACC provider builds a permission from the path: exousia issue 37).
     */
    @POST
    @Path("messages")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response publishTo(@QueryParam("room") String room, @Context HttpServletRequest request, InputStream entity)
            throws IOException {
        return publish(room == null ? "" : room, request, entity);
    }

    /** {@code GET /api/rooms/presence?room=chat:lobby}: the same presence, the room in the query (see {@link #publishTo}). */
    @GET
    @Path("presence")
    @Produces(MediaType.APPLICATION_JSON)
    public Response presenceOf(@QueryParam("room") String room, @Context HttpServletRequest request) {
        return presence(room == null ? "" : room, request);
    }

    /**
     * {@code GET /api/rooms/history?room=…&limit=…&since=<epoch>:<offset>&reverse=true&filter.<tag>=<value>…}: a page
     * of the room's history, {@code {room, epoch, offset, recovered?, publications: [{offset, ts, from?, data, tags?}…]}},
     * authorized as a join; with {@code filter.<tag>} (repeated: any of the values), only the publications that match.
     */
    @GET
    @Path("history")
    @Produces(MediaType.APPLICATION_JSON)
    public Response history(@QueryParam("room") String room, @QueryParam("limit") String limit,
                            @QueryParam("since") String since, @QueryParam("reverse") String reverse,
                            @Context HttpServletRequest request) {
        Response refused = refusal(access.caller(request), RoomAuthorizer.Action.JOIN, room == null ? "" : room);
        if (refused != null) {
            return refused;
        }
        Integer pageSize = limit == null ? Integer.valueOf(Integer.MAX_VALUE) : positive(limit);
        if (pageSize == null || (limit != null && pageSize > HISTORY_LIMIT_MAX)) {
            return ApiResponses.error(400, ErrorCode.INVALID, "limit: an integer from 1 to " + HISTORY_LIMIT_MAX,
                    Map.of("limit", "invalid"));
        }
        int colon = since == null ? -1 : since.lastIndexOf(':');
        Long sinceOffset = colon > 0 ? nonNegative(since.substring(colon + 1)) : null;
        if (since != null && sinceOffset == null) {
            return ApiResponses.error(400, ErrorCode.INVALID, "since: <epoch>:<offset>, as a message's epoch and offset",
                    Map.of("since", "invalid"));
        }
        if (reverse != null && !reverse.equals("true") && !reverse.equals("false")) {
            return ApiResponses.error(400, ErrorCode.INVALID, "reverse: true or false", Map.of("reverse", "invalid"));
        }
        dev.switchboard.protocol.TagFilter filter;
        try {
            filter = TagParams.filter(request);
        } catch (IllegalArgumentException e) {
            return ApiResponses.error(400, ErrorCode.INVALID, e.getMessage(),
                    Map.of("filter", TagParams.rules(TagParams.FILTER)));
        }
        try {
            return Response.ok(Codec.jsonb().toJson(switchboard.history(room, pageSize,
                    since == null ? null : since.substring(0, colon), sinceOffset, "true".equals(reverse), filter))).build();
        } catch (Switchboard.Refused notNow) { // unavailable (the shared log cannot be read now), node_full
            return Response.fromResponse(ApiResponses.error(503, notNow.code(), notNow.getMessage(), null))
                    .header("Retry-After", "1").build();
        }
    }

    /** {@code GET /api/rooms/occupancy?room=…}: {@code {room, users, connections}} on every node, authorized as presence. */
    @GET
    @Path("occupancy")
    @Produces(MediaType.APPLICATION_JSON)
    public Response occupancy(@QueryParam("room") String room, @Context HttpServletRequest request) {
        Response refused = refusal(access.caller(request), RoomAuthorizer.Action.PRESENCE, room == null ? "" : room);
        if (refused != null) {
            return refused;
        }
        try {
            return Response.ok(Codec.jsonb().toJson(switchboard.occupancy(room))).build();
        } catch (Switchboard.Refused notNow) {
            return Response.fromResponse(ApiResponses.error(503, notNow.code(), notNow.getMessage(), null))
                    .header("Retry-After", "1").build();
        }
    }

    /** The most {@code limit} may ask for; the room class's {@code history.page-max} bounds the page itself. */
    private static final int HISTORY_LIMIT_MAX = 10_000;

    private static Integer positive(String text) {
        try {
            int n = Integer.parseInt(text);
            return n >= 1 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long nonNegative(String text) {
        try {
            long n = Long.parseLong(text);
            return n >= 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @POST
    @Path("{room}/messages")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response publish(@PathParam("room") String room, @Context HttpServletRequest request, InputStream entity)
            throws IOException {
        ApiAccess.Result who = access.caller(request);
        Response refused = refusal(who, RoomAuthorizer.Action.PUBLISH, room);
        if (refused != null) {
            return refused;
        }
        String body = ApiResponses.body(request, entity, settings.maxMessageBytes());
        if (body == null) {
            return ApiResponses.tooBig(settings.maxMessageBytes());
        }
        JsonValue data = Codec.parseOrNull(body);
        if (data == null) {
            return ApiResponses.error(400, ErrorCode.BAD_JSON, "the body must be a JSON value", null);
        }
        String key = request.getHeader(IDEMPOTENCY_KEY);
        if (key != null && !Codec.isPublishKey(key)) {
            return ApiResponses.error(400, ErrorCode.INVALID, IDEMPOTENCY_KEY + ": 1-64 letters, digits and _ . : -",
                    Map.of("key", "invalid"));
        }
        Map<String, String> tags;
        try {
            tags = TagParams.tags(request);
        } catch (IllegalArgumentException e) {
            return ApiResponses.error(400, ErrorCode.INVALID, e.getMessage(), Map.of("tags", TagParams.rules(TagParams.TAG)));
        }
        // the key is the caller's own: scoped by who presents it
        Switchboard.Publication publication;
        try {
            publication = switchboard.publish(room, data, tags, key == null ? null : "api " + who.caller().label() + " " + key);
        } catch (Switchboard.Refused notNow) { // node_full, or unavailable (shutting down)
            return Response.fromResponse(ApiResponses.error(503, notNow.code(), notNow.getMessage(), null))
                    .header("Retry-After", "1").build();
        }
        return Response.accepted(Codec.jsonb().toJson(publication)).build();
    }

    @GET
    @Path("{room}/presence")
    @Produces(MediaType.APPLICATION_JSON)
    public Response presence(@PathParam("room") String room, @Context HttpServletRequest request) {
        Response refused = refusal(access.caller(request), RoomAuthorizer.Action.PRESENCE, room);
        if (refused != null) {
            return refused;
        }
        return Response.ok(Codec.jsonb().toJson(switchboard.presence(room))).build();
    }

    /** The refusal of a caller doing {@code action} to {@code room} (in this order: 401, 429, 400, 403), or null. */
    private Response refusal(ApiAccess.Result who, RoomAuthorizer.Action action, String room) {
        if (who.caller() == null) {
            return ApiResponses.unauthenticated(who.refusal());
        }
        if (!access.withinRate(who.caller())) {
            return ApiResponses.rateLimited();
        }
        if (!RoomNames.isValid(room)) {
            return ApiResponses.error(400, ErrorCode.INVALID, "not a room name: " + RoomNames.RULE, Map.of("room", "invalid"));
        }
        if (!access.allows(who.caller(), action, room)) {
            return ApiResponses.forbidden(action == RoomAuthorizer.Action.PUBLISH ? "may not publish into " + room
                    : action == RoomAuthorizer.Action.JOIN ? "may not read the history of " + room : "may not see who is in " + room);
        }
        return null;
    }
}
