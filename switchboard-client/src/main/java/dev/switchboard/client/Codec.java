package dev.switchboard.client;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.StringReader;

/**
 * Turns the application's objects into JSON values and back with one shared {@link Jsonb} (thread-safe; records,
 * beans, maps, lists, {@link JsonValue}s and {@code null} all work), and reads the server's frames. Stateless.
 */
public final class Codec {

    private final Jsonb jsonb;

    public Codec(Jsonb jsonb) {
        this.jsonb = jsonb;
    }

    /** A codec on a default {@link JsonbBuilder#create()}. */
    public static Codec standard() {
        return new Codec(JsonbBuilder.create());
    }

    /** {@code data} as a JSON value: a {@link JsonValue} as it is, {@code null} as JSON null, anything else by JSON-B. */
    public JsonValue encode(Object data) {
        if (data == null) {
            return JsonValue.NULL;
        }
        if (data instanceof JsonValue value) {
            return value;
        }
        return parseValue(jsonb.toJson(data));
    }

    /** {@code value} decoded into {@code type} ({@code JsonValue.class} and its subtypes as they are). */
    public <T> T decode(JsonValue value, Class<T> type) {
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (type.isInstance(value)) {
            return type.cast(value);
        }
        return jsonb.fromJson(value.toString(), type);
    }

    /** One message of the server's; null when the text is not a JSON object (the server sends none such). */
    JsonObject read(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            JsonValue value = reader.readValue();
            return value instanceof JsonObject object ? object : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static JsonValue parseValue(String json) {
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            return reader.readValue();
        }
    }
}
