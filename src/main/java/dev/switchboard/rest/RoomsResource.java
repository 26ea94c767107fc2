package dev.switchboard.rest;

import dev.switchboard.Switchboard;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.RoomNames;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.ServerMessage;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * Publishing from anything that speaks HTTP: {@code POST /api/rooms/{room}/messages} with a JSON body publishes
 * the body as the message's {@code data} and answers 202 with {@code {room, epoch, offset}}.
 */
@Path("rooms")
@RequestScoped
public class RoomsResource {

    @Inject
    Switchboard switchboard;

    @POST
    @Path("{room}/messages")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response publish(@PathParam("room") String room, String body) {
        if (!RoomNames.isValid(room)) {
            return error(ErrorCode.INVALID, "not a room name: " + RoomNames.RULE, Map.of("room", "invalid"));
        }
        JsonValue data = body == null ? null : Codec.parseOrNull(body);
        if (data == null) {
            return error(ErrorCode.BAD_JSON, "the body must be a JSON value", Map.of());
        }
        Switchboard.Publication publication = switchboard.publish(room, data);
        return Response.accepted(Codec.jsonb().toJson(publication)).build();
    }

    @GET
    @Path("{room}/presence")
    @Produces(MediaType.APPLICATION_JSON)
    public Response presence(@PathParam("room") String room) {
        return Response.ok(Codec.jsonb().toJson(switchboard.presence(room))).build();
    }

    private static Response error(String code, String message, Map<String, String> details) {
        return Response.status(Response.Status.BAD_REQUEST)
                .entity(Codec.encode(new ServerMessage.Error(null, code, message, details.isEmpty() ? null : details)))
                .type(MediaType.APPLICATION_JSON).build();
    }
}
