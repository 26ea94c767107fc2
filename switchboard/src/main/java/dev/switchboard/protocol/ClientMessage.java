package dev.switchboard.protocol;

import jakarta.json.JsonValue;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import java.util.Map;

/**
 * What a client sends on {@code /ws}: one JSON object per text frame, discriminated by {@code type}
 * (docs/PROTOCOL.md). {@code id} is the client's correlation id, echoed back as {@code re}.
 * {@link Malformed} is not on the wire: it is what the decoder makes of input it cannot accept, so that the
 * connection answers with a typed {@code error} instead of failing.
 */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "join", type = ClientMessage.Join.class),
        @JsonbSubtype(alias = "leave", type = ClientMessage.Leave.class),
        @JsonbSubtype(alias = "publish", type = ClientMessage.Publish.class),
        @JsonbSubtype(alias = "send", type = ClientMessage.Send.class),
        @JsonbSubtype(alias = "request", type = ClientMessage.Request.class),
        @JsonbSubtype(alias = "presence", type = ClientMessage.PresenceQuery.class),
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

    record Join(String id, String room, Since since) implements ClientMessage {
    }

    record Leave(String id, String room) implements ClientMessage {
    }

    /**
     * {@code key}, optional: the publisher's idempotency key (1–64 of letters, digits and {@code _ . : -}). A publish
     * with a key this user already published into this room within the key window is not published again: it is
     * answered with the first one's {@code ack} (same offset).
     */
    record Publish(String id, String room, JsonValue data, String key) implements ClientMessage {
        public Publish(String id, String room, JsonValue data) {
            this(id, room, data, null);
        }
    }

    record Send(String id, String to, JsonValue data) implements ClientMessage {
    }

    record Request(String id, String method, JsonValue data) implements ClientMessage {
    }

    record PresenceQuery(String id, String room) implements ClientMessage {
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
    record Refresh(String id, String credential) implements ClientMessage {
    }

    /** Input that could not become a message; answered with {@code error {re: id, code, message, details}}. */
    record Malformed(String id, String code, String message, Map<String, String> details) implements ClientMessage {
    }
}
