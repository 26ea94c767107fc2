package dev.switchboard.protocol;

import dev.switchboard.CloseCodes;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The protocol as an AsyncAPI 3.0 document (docs/PROTOCOL.md is the reader's guide to it): the socket channel with
 * every client and server message — each name and payload read from the codec's own type table
 * ({@link JsonbTypeInfo} on {@link ClientMessage} and {@link ServerMessage}) and records, so that the document cannot
 * say other than what the codec does — every error code and close code, and the application's typed rooms and
 * requests with their payloads' schemas ({@link JsonSchemas}). Stateless.
 */
public final class AsyncApi {

    /** A room handler's rooms ({@code orders:*} or {@code lobby}) and the type of its publications. */
    public record TypedRoom(String pattern, Type payload) {
    }

    /** A typed request handler's method and the types of its request and reply. */
    public record TypedRequest(String method, Type request, Type reply) {
    }

    /** The application's typed rooms and requests, as its handlers declare them. */
    public record Typed(List<TypedRoom> rooms, List<TypedRequest> requests) {
        public Typed {
            rooms = List.copyOf(rooms);
            requests = List.copyOf(requests);
        }
    }

    private static final String SOCKET = "#/channels/socket";

    private AsyncApi() {
    }

    /** Wire name → record, as the codec maps them. */
    public static Map<String, Class<?>> messages(Class<?> sealed) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (JsonbSubtype subtype : sealed.getAnnotation(JsonbTypeInfo.class).value()) {
            byName.put(subtype.alias(), subtype.type());
        }
        return byName;
    }

    /**
     * The document for the application at {@code host} (e.g. {@code example.com:8080}) whose protocol endpoint is at
     * {@code socketPath}, {@code secure} when reached over TLS.
     */
    public static JsonObject document(String version, String host, String socketPath, boolean secure,
                                      List<TypedRoom> rooms, List<TypedRequest> requests) {
        JsonObjectBuilder channelMessages = object();
        JsonObjectBuilder components = object();
        JsonObjectBuilder schemas = object();
        JsonObjectBuilder operations = object();
        messages(ClientMessage.class).forEach((name, type) -> {
            String key = "client." + name;
            components.add(key, message(name, "client → server", key));
            schemas.add(key, payload(name, type, null));
            channelMessages.add(key, ref("#/components/messages/" + key));
            operations.add("receive." + name, operation("receive", SOCKET, key));
        });
        messages(ServerMessage.class).forEach((name, type) -> {
            String key = "server." + name;
            components.add(key, message(name, "server → client", key));
            schemas.add(key, payload(name, type, null));
            channelMessages.add(key, ref("#/components/messages/" + key));
            operations.add("send." + name, operation("send", SOCKET, key));
        });
        for (TypedRequest request : requests) {
            String in = "request." + key(request.method());
            String out = "reply." + key(request.method());
            components.add(in, message("request", "the application's typed request '" + request.method() + "'", in));
            components.add(out, message("reply", "the reply to '" + request.method() + "'", out));
            schemas.add(in, payload("request", ClientMessage.Request.class, request.request()));
            schemas.add(out, payload("reply", ServerMessage.Reply.class, request.reply()));
            channelMessages.add(in, ref("#/components/messages/" + in)).add(out, ref("#/components/messages/" + out));
            operations.add(in, operation("receive", SOCKET, in).add("reply", object().add("channel", ref(SOCKET))
                    .add("messages", Codec.json().createArrayBuilder().add(ref(SOCKET + "/messages/" + out)))));
        }
        JsonObjectBuilder channels = object().add("socket", object().add("address", socketPath)
                .add("title", "The Switchboard protocol (subprotocols switchboard.v1, switchboard.v1.batch)")
                .add("messages", channelMessages).add("servers", Codec.json().createArrayBuilder().add(ref("#/servers/application"))));
        for (TypedRoom room : rooms) {
            typedRoom(room, channels, components, schemas, operations);
        }
        return object()
                .add("asyncapi", "3.0.0")
                .add("info", object().add("title", "Switchboard").add("version", version)
                        .add("description", "Rooms, presence, history with recovery, acks, direct messages and requests"
                                + " over one WebSocket. Guide: docs/PROTOCOL.md."))
                .add("defaultContentType", "application/json")
                .add("servers", object().add("application", object().add("host", host)
                        .add("protocol", secure ? "wss" : "ws")))
                .add("channels", channels)
                .add("operations", operations)
                .add("components", object().add("messages", components).add("schemas", schemas))
                .add("x-error-codes", constants(ErrorCode.class, String.class))
                .add("x-close-codes", constants(CloseCodes.class, int.class))
                .build();
    }

    private static void typedRoom(TypedRoom room, JsonObjectBuilder channels, JsonObjectBuilder components,
                                  JsonObjectBuilder schemas, JsonObjectBuilder operations) {
        boolean isClass = room.pattern().endsWith(":*");
        String name = isClass ? room.pattern().substring(0, room.pattern().length() - 2) : room.pattern();
        String channel = "room." + key(name);
        String publish = channel + ".publish";
        String publication = channel + ".message";
        components.add(publish, message("publish", "a member's publication in " + room.pattern()
                + ", checked by the application's handler", publish));
        components.add(publication, message("message", "a publication in " + room.pattern(), publication));
        schemas.add(publish, payload("publish", ClientMessage.Publish.class, room.payload()));
        schemas.add(publication, payload("message", ServerMessage.Message.class, null));
        JsonObjectBuilder typed = object().add("address", isClass ? name + ":{key}" : name)
                .add("title", "Rooms " + room.pattern() + " (the application's RoomHandler)")
                .add("messages", object().add(publish, ref("#/components/messages/" + publish))
                        .add(publication, ref("#/components/messages/" + publication)));
        if (isClass) {
            typed.add("parameters", object().add("key", object().add("description", "the room's name after its class")));
        }
        channels.add(channel, typed);
        operations.add("receive." + publish, operation("receive", "#/channels/" + channel, publish));
        operations.add("send." + publication, operation("send", "#/channels/" + channel, publication));
    }

    /** A message object: its wire {@code type} as name, its payload's schema under components. */
    private static JsonObjectBuilder message(String name, String summary, String schema) {
        return object().add("name", name).add("title", name).add("summary", summary)
                .add("payload", ref("#/components/schemas/" + schema));
    }

    /** A record's schema with {@code type} fixed to the wire name; {@code data} typed when {@code data} is given. */
    private static JsonObjectBuilder payload(String name, Class<?> record, Type data) {
        JsonObject schema = JsonSchemas.of(record);
        JsonObjectBuilder properties = object().add("type", object().add("type", "string").add("const", name));
        schema.getJsonObject("properties").forEach((property, value) ->
                properties.add(property, "data".equals(property) && data != null ? JsonSchemas.of(data) : value));
        var required = Codec.json().createArrayBuilder().add("type");
        if (schema.containsKey("required")) {
            schema.getJsonArray("required").forEach(required::add);
        }
        if (data != null) {
            required.add("data");
        }
        return object().add("type", "object").add("title", name).add("properties", properties).add("required", required);
    }

    private static JsonObjectBuilder operation(String action, String channel, String message) {
        String messages = channel.equals(SOCKET) ? SOCKET + "/messages/" : channel + "/messages/";
        return object().add("action", action).add("channel", ref(channel))
                .add("messages", Codec.json().createArrayBuilder().add(ref(messages + message)));
    }

    /** The public constants of {@code holder} of type {@code type}, by name. */
    private static JsonObjectBuilder constants(Class<?> holder, Class<?> type) {
        JsonObjectBuilder all = object();
        for (Field field : holder.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == type) {
                try {
                    Object value = field.get(null);
                    if (value instanceof Integer i) {
                        all.add(field.getName(), i);
                    } else {
                        all.add(field.getName(), String.valueOf(value));
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return all;
    }

    /** A component key: the characters AsyncAPI allows ({@code [\w.-]}), others as {@code _}. */
    private static String key(String name) {
        return name.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    private static JsonObjectBuilder ref(String to) {
        return object().add("$ref", to);
    }

    private static JsonObjectBuilder object() {
        return Codec.json().createObjectBuilder();
    }
}
