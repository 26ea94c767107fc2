package dev.switchboard.protocol;

import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.JsonbException;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.Map;
import java.util.Set;

/**
 * The one JSON codec of the protocol: a single thread-safe {@link Jsonb} shared by the WebSocket encoders and
 * decoders, the engine (which encodes a broadcast once) and the REST API. Stateless; every method is thread-safe.
 */
public final class Codec {

    /** Longest accepted correlation {@code id}. */
    public static final int MAX_ID_LENGTH = 64;
    /** Room names: 1–128 characters of letters, digits and {@code _ - . : @}. */
    /** User names as they appear in {@code send.to}: 1–128 characters, no control characters. */
    /** The types the decoder accepts (AsyncApiTest holds them equal to ClientMessage's type table). */
    static final Set<String> TYPES = Set.of("join", "leave", "publish", "send", "request", "presence", "history", "occupancy", "ping", "reply", "refresh");

    /** Malformed code for a message over the size limit: the endpoint closes with 1009 (not an error reply). */
    public static final String TOO_BIG = "too_big";

    private static volatile int maxMessageBytes = 64 * 1024;

    /**
     * The JSON-P provider, looked up once. {@code Json.createReader(…)} and the other static factories of
     * {@link jakarta.json.Json} look the provider up on every call ({@code JsonProvider.provider()}: a
     * {@code ServiceLoader} over the thread's context class loader — on Payara, a scan of every jar in the WAR per
     * call; a JFR profile of request/reply put a quarter of Payara's CPU there). Use this one instead.
     */
    private static final JsonProvider JSON = JsonProvider.provider();

    private static final Jsonb JSONB = JsonbBuilder.newBuilder()
            .withConfig(new JsonbConfig().withNullValues(false)).withProvider(JSON).build();

    private Codec() {
    }

    /** The JSON-P provider every hot path uses (see {@link #JSON}); never {@code Json.createXxx} there. */
    public static JsonProvider json() {
        return JSON;
    }

    public static Jsonb jsonb() {
        return JSONB;
    }

    /** Encodes one server message; the result is what goes into a text frame. */
    public static String encode(ServerMessage message) {
        if (message instanceof ServerMessage.Reply || message instanceof ServerMessage.Ack
                || message instanceof ServerMessage.Pong || message instanceof ServerMessage.Welcome) {
            return encodeAnswer(message);
        }
        // the runtime type, not ServerMessage.class: Yasson writes an interface type as an empty object
        return JSONB.toJson(message);
    }

    private static final JsonGeneratorFactory GENERATORS = JSON.createGeneratorFactory(Map.of());

    /**
     * The answers a request/reply client waits for ({@code reply}, {@code ack}, {@code pong}) and every connection's
     * {@code welcome} (a fifth of a handshake's CPU on WildFly went to JSON-B writing it: docs/benchmark/connections.md),
     * written with a JSON-P generator from one shared factory: the same text JSON-B writes (type first, then the fields
     * in lexicographic order, nulls left out; {@code CodecTest} holds them equal) at a fraction of its cost.
     */
    private static String encodeAnswer(ServerMessage message) {
        StringWriter out = new StringWriter(64);
        try (JsonGenerator json = GENERATORS.createGenerator(out)) {
            json.writeStartObject();
            if (message instanceof ServerMessage.Reply m) {
                json.write("type", "reply");
                if (m.data() != null) {
                    json.write("data", m.data());
                }
                optional(json, "re", m.re());
            } else if (message instanceof ServerMessage.Ack m) {
                json.write("type", "ack");
                if (m.offset() != null) {
                    json.write("offset", m.offset());
                }
                optional(json, "re", m.re());
                optional(json, "room", m.room());
            } else if (message instanceof ServerMessage.Pong m) {
                json.write("type", "pong");
                optional(json, "re", m.re());
            } else if (message instanceof ServerMessage.Welcome m) {
                json.write("type", "welcome");
                if (m.expiresInMs() != null) {
                    json.write("expiresInMs", m.expiresInMs());
                }
                json.write("heartbeatMs", m.heartbeatMs());
                if (m.limits() != null) {
                    ServerMessage.Limits l = m.limits();
                    json.writeStartObject("limits").write("maxIdLength", l.maxIdLength())
                            .write("maxMessageBytes", l.maxMessageBytes()).write("rateBurst", l.rateBurst())
                            .write("ratePerSecond", l.ratePerSecond()).writeEnd();
                }
                optional(json, "protocol", m.protocol());
                optional(json, "session", m.session());
                optional(json, "user", m.user());
            }
            json.writeEnd();
        }
        return out.toString();
    }

    private static void optional(JsonGenerator json, String name, String value) {
        if (value != null) {
            json.write(name, value);
        }
    }

    /**
     * Decodes one client text frame. Never throws: input that is not a valid message becomes
     * {@link ClientMessage.Malformed} carrying the error code, a message saying how to fix it, and the fields at fault.
     */
    public static ClientMessage decode(String text) {
        if (utf8Length(text) > maxMessageBytes) {
            return malformed(null, TOO_BIG, "message larger than " + maxMessageBytes + " bytes", Map.of());
        }
        JsonObject object;
        try (JsonReader reader = JSON.createReader(new StringReader(text))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                return malformed(null, ErrorCode.BAD_JSON, "a message is a JSON object, got " + value.getValueType(), Map.of());
            }
            object = value.asJsonObject();
        } catch (JsonParsingException e) {
            var at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNumber() + ", column " + at.getColumnNumber();
            return malformed(null, ErrorCode.BAD_JSON, "not valid JSON" + where, Map.of());
        } catch (RuntimeException e) { // JsonException: empty input, I/O on the reader, nesting too deep
            return malformed(null, ErrorCode.BAD_JSON, "not valid JSON", Map.of());
        }
        String id = null;
        JsonValue idValue = object.get("id");
        if (idValue != null && idValue.getValueType() != JsonValue.ValueType.NULL) {
            if (!(idValue instanceof JsonString s)) {
                return malformed(null, ErrorCode.INVALID, "id must be a string", Map.of("id", "must be a string"));
            }
            if (s.getString().length() > MAX_ID_LENGTH) {
                return malformed(null, ErrorCode.INVALID, "id is longer than " + MAX_ID_LENGTH + " characters",
                        Map.of("id", "at most " + MAX_ID_LENGTH + " characters"));
            }
            id = s.getString();
        }
        JsonValue type = object.get("type");
        if (!(type instanceof JsonString t) || !TYPES.contains(t.getString())) {
            String got = type instanceof JsonString t2 ? "'" + abbreviate(t2.getString()) + "'" : String.valueOf(type);
            return malformed(id, ErrorCode.UNKNOWN_TYPE, "unknown type " + got + "; expected one of " + TYPES, Map.of());
        }
        ClientMessage message = fromTree(t.getString(), id, object);
        if (message == null) {
            message = bind(text, object, t.getString());
            if (message == null) {
                return malformed(id, ErrorCode.INVALID, "fields of the wrong type for '" + t.getString() + "'", Map.of());
            }
        }
        Map<String, String> problems = MessageRules.problems(message);
        if (!problems.isEmpty()) {
            return malformed(id, ErrorCode.INVALID, "invalid " + t.getString() + ": " + problems.keySet(), problems);
        }
        return message;
    }

    /**
     * The messages whose fields are strings and {@code data} (publish, request, send, leave, presence, ping), read
     * from the JSON-P tree already parsed: no second serialization and parse through JSON-B on the hot path. Null when
     * the type has other fields, or a field is not a string (JSON-B then decides, as for every other message).
     */
    private static ClientMessage fromTree(String type, String id, JsonObject object) {
        switch (type) {
            case "publish": {
                String room = text(object, "room");
                String key = text(object, "key");
                Map<String, String> tags = Tags.fromJson(object.get("tags"));
                if (tags == Tags.WRONG_TYPE) {
                    return malformed(id, ErrorCode.INVALID, "invalid publish: [tags]", Map.of("tags", Tags.RULE));
                }
                return room == NOT_TEXT || key == NOT_TEXT ? null
                        : new ClientMessage.Publish(id, room, object.get("data"), key, tags);
            }
            case "request": {
                String method = text(object, "method");
                return method == NOT_TEXT ? null : new ClientMessage.Request(id, method, object.get("data"));
            }
            case "send": {
                String to = text(object, "to");
                JsonValue.ValueType flag = object.containsKey("recoverable") ? object.get("recoverable").getValueType()
                        : JsonValue.ValueType.NULL;
                if (to == NOT_TEXT || (flag != JsonValue.ValueType.TRUE && flag != JsonValue.ValueType.FALSE
                        && flag != JsonValue.ValueType.NULL)) {
                    return null; // JSON-B then answers: fields of the wrong type
                }
                return new ClientMessage.Send(id, to, object.get("data"),
                        flag == JsonValue.ValueType.NULL ? null : flag == JsonValue.ValueType.TRUE);
            }
            case "leave": {
                String room = text(object, "room");
                return room == NOT_TEXT ? null : new ClientMessage.Leave(id, room);
            }
            case "presence": {
                String room = text(object, "room");
                return room == NOT_TEXT ? null : new ClientMessage.PresenceQuery(id, room);
            }
            case "occupancy": {
                String room = text(object, "room");
                return room == NOT_TEXT ? null : new ClientMessage.OccupancyQuery(id, room);
            }
            case "ping":
                return new ClientMessage.Ping(id);
            case "refresh": {
                String credential = text(object, "credential");
                return credential == NOT_TEXT ? null : new ClientMessage.Refresh(id, credential);
            }
            default:
                return null;
        }
    }

    /** Whether {@code key} is a valid idempotency key ({@code publish.key}, {@code Idempotency-Key}). */
    public static boolean isPublishKey(String key) {
        return key != null && MessageRules.METHOD_NAME.matcher(key).matches();
    }

    /** Marks a field that is present and neither a string nor null. */
    private static final String NOT_TEXT = new String("not text");

    private static String text(JsonObject object, String name) {
        JsonValue value = object.get(name);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        return value instanceof JsonString s ? s.getString() : NOT_TEXT;
    }

    /** Binds through JSON-B (the sealed interface's type discriminator); null when a field has the wrong type. */
    private static ClientMessage bind(String text, JsonObject object, String type) {
        try {
            // Yasson quirk (3.0.x, on both servers): a JSON string or array bound to a JsonValue record component
            // fails with "Internal error". `data` is any JSON, and `filter` holds strings or arrays, so both are taken
            // from the JSON-P tree instead.
            JsonValue data = object.get("data");
            JsonValue filter = object.get("filter");
            if (filter != null && filter.getValueType() == JsonValue.ValueType.NULL) {
                filter = null;
            } else if (filter != null && !(filter instanceof JsonObject)) {
                return null; // a filter is an object: fields of the wrong type
            }
            String rest = data == null && filter == null ? text
                    : JSON.createObjectBuilder(object).remove("data").remove("filter").build().toString();
            return withData(JSONB.fromJson(rest, ClientMessage.class), data, filter);
        } catch (JsonbException e) {
            return null;
        }
    }

    private static ClientMessage withData(ClientMessage message, JsonValue data, JsonValue filterValue) {
        JsonObject filter = (JsonObject) filterValue;
        if (message instanceof ClientMessage.Join m) {
            return new ClientMessage.Join(m.id(), m.room(), m.since(), m.rewind(), filter);
        } else if (message instanceof ClientMessage.HistoryQuery m) {
            return new ClientMessage.HistoryQuery(m.id(), m.room(), m.limit(), m.since(), m.reverse(), filter);
        } else if (message instanceof ClientMessage.Publish m) {
            return new ClientMessage.Publish(m.id(), m.room(), data, m.key(), m.tags());
        } else if (message instanceof ClientMessage.Send m) {
            return new ClientMessage.Send(m.id(), m.to(), data, m.recoverable());
        } else if (message instanceof ClientMessage.Request m) {
            return new ClientMessage.Request(m.id(), m.method(), data);
        } else if (message instanceof ClientMessage.Reply m) {
            return new ClientMessage.Reply(m.id(), m.re(), data, m.error(), m.message());
        }
        return message;
    }

    private static ClientMessage malformed(String id, String code, String message, Map<String, String> details) {
        return new ClientMessage.Malformed(id, code, message, details);
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "…";
    }

    /**
     * Sets the largest message {@link #decode} accepts, in UTF-8 bytes. The containers enforce
     * {@code Session.setMaxTextMessageBufferSize} differently (Tyrus on Payara delivers larger messages anyway),
     * so the decoder checks it too. Called once by the engine at startup.
     */
    public static void limitMessageBytes(int bytes) {
        maxMessageBytes = bytes;
    }

    /** UTF-8 length of {@code text}, without encoding it; stops counting once past the limit. */
    public static long utf8Length(String text) {
        if ((long) text.length() * 3 <= maxMessageBytes) {
            return text.length(); // cannot be over the limit: skip the count
        }
        long bytes = 0;
        for (int i = 0; i < text.length() && bytes <= maxMessageBytes; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Parses a JSON text into a value, or returns {@code null} when it is not JSON. */
    public static JsonValue parseOrNull(String text) {
        try (JsonReader reader = JSON.createReader(new StringReader(text))) {
            return reader.readValue();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
