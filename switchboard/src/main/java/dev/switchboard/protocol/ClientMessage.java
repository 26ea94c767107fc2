package dev.switchboard.protocol;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;

/**
 * What a client sends on {@code /ws}: one JSON object per text frame, discriminated by {@code type}
 * (docs/PROTOCOL.md). {@code id} is the client's correlation id, echoed back as {@code re}.
 * {@link Malformed} is not on the wire: it is what the decoder makes of input it cannot accept, so that the
 * connection answers with a typed {@code error} instead of failing.
 *
 * <p>The constraint annotations state the decoder's own rules (it checks them itself, {@link Codec}) for the AsyncAPI
 * document's schemas ({@link JsonSchemas}); {@code AsyncApiTest} holds a frame built to the schema decodable.
 */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "join", type = ClientMessage.Join.class),
        @JsonbSubtype(alias = "leave", type = ClientMessage.Leave.class),
        @JsonbSubtype(alias = "publish", type = ClientMessage.Publish.class),
        @JsonbSubtype(alias = "send", type = ClientMessage.Send.class),
        @JsonbSubtype(alias = "request", type = ClientMessage.Request.class),
        @JsonbSubtype(alias = "presence", type = ClientMessage.PresenceQuery.class),
        @JsonbSubtype(alias = "history", type = ClientMessage.HistoryQuery.class),
        @JsonbSubtype(alias = "occupancy", type = ClientMessage.OccupancyQuery.class),
        @JsonbSubtype(alias = "ping", type = ClientMessage.Ping.class),
        @JsonbSubtype(alias = "reply", type = ClientMessage.Reply.class),
        @JsonbSubtype(alias = "refresh", type = ClientMessage.Refresh.class)
})
public sealed interface ClientMessage {

    /** The correlation id, or {@code null} when the client gave none. */
    String id();

    /** A position in a room's history: the last message the client saw. */
    record Since(String epoch, Long offset) {
    }

    /** The rule of a room name ({@link RoomNames}). */
    String ROOM = "[A-Za-z0-9_.:@-]{1,128}";
    /** The rule of a method name and of an idempotency key. */
    String NAME = "[A-Za-z0-9_.:-]{1,64}";

    /**
     * {@code since}: recover what was missed after it. {@code rewind}: the room's last {@code rewind} publications held,
     * right after {@code joined}, when {@code since} is absent or could not be recovered (absent: the room class's
     * {@code rewind}, default 0). {@code filter}: only publications whose tags match it ({@link TagFilter}) reach this
     * member — live, recovered and rewound; a join of a room already joined replaces it.
     */
    record Join(@Size(max = Codec.MAX_ID_LENGTH) String id, @NotNull @Pattern(regexp = ROOM) String room, Since since,
                @Min(0) @Max(MessageRules.MAX_PAGE) Integer rewind, JsonObject filter) implements ClientMessage {
        // one constructor only: Yasson binds a record with a second one as "fields of the wrong type"
    }

    /**
     * A page of a room's history, authorized as a join: at most {@code limit} (default and bound: the room class's
     * {@code history.page-max}) publications, oldest first after {@code since} (or from the oldest kept), or the newest
     * first when {@code reverse}; with a {@code filter}, only the publications whose tags match it. Answered with
     * {@code history}.
     */
    record HistoryQuery(@Size(max = Codec.MAX_ID_LENGTH) String id, @NotNull @Pattern(regexp = ROOM) String room,
                        @Min(1) @Max(MessageRules.MAX_PAGE) Integer limit, Since since, Boolean reverse,
                        JsonObject filter) implements ClientMessage {
    }

    record Leave(@Size(max = Codec.MAX_ID_LENGTH) String id, @NotNull @Pattern(regexp = ROOM) String room)
            implements ClientMessage {
    }

    /**
     * {@code key}, optional: the publisher's idempotency key (1–64 of letters, digits and {@code _ . : -}). A publish
     * with a key this user already published into this room within the key window is not published again: it is
     * answered with the first one's {@code ack} (same offset). {@code tags}, optional: short strings by name
     * ({@link Tags}) that members' filters select on.
     */
    record Publish(@Size(max = Codec.MAX_ID_LENGTH) String id, @NotNull @Pattern(regexp = ROOM) String room, JsonValue data,
                   @Pattern(regexp = NAME) String key, Map<String, String> tags) implements ClientMessage {
        public Publish(String id, String room, JsonValue data) {
            this(id, room, data, null, null);
        }
    }

    /**
     * A direct message to every connection of user {@code to}; {@code recoverable}: kept in {@code to}'s personal
     * stream (room {@code user:<to>}) instead, with an offset, for {@code to} to receive there and recover later.
     */
    record Send(String id, String to, JsonValue data, Boolean recoverable) implements ClientMessage {
    }

    record Request(@Size(max = Codec.MAX_ID_LENGTH) String id, @NotNull @Pattern(regexp = NAME) String method, JsonValue data)
            implements ClientMessage {
    }

    record PresenceQuery(@Size(max = Codec.MAX_ID_LENGTH) String id, @NotNull @Pattern(regexp = ROOM) String room)
            implements ClientMessage {
    }

    /**
     * How many users are in a room, with how many connections, on every node: presence without the list, for rooms
     * too large to list. Authorized as {@code presence}; the room need not be joined.
     */
    record OccupancyQuery(@Size(max = Codec.MAX_ID_LENGTH) String id, @NotNull @Pattern(regexp = ROOM) String room)
            implements ClientMessage {
    }

    record Ping(String id) implements ClientMessage {
    }

    /**
     * The client's answer to a server {@code request}: {@code data}, or {@code error} (a code) with an optional
     * {@code message}. {@code re} is the id of the server's request.
     */
    record Reply(String id, String re, JsonValue data, String error, String message) implements ClientMessage {
    }

    /**
     * New credentials for this connection before the old ones expire: {@code credential} is a subprotocol entry,
     * {@code bearer.<JWT>} or {@code ticket.<ticket>}, for the same user. Answered with {@code refreshed}, or
     * {@code error bad_credentials} (the connection goes on with the old ones until they expire).
     */
    record Refresh(@Size(max = Codec.MAX_ID_LENGTH) String id,
                   @NotNull @Pattern(regexp = "(bearer|ticket)\\..+") @Size(max = 8192) String credential)
            implements ClientMessage {
    }

    /** Input that could not become a message; answered with {@code error {re: id, code, message, details}}. */
    record Malformed(String id, String code, String message, Map<String, String> details) implements ClientMessage {
    }
}
