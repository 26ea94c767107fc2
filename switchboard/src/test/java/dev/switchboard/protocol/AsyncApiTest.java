package dev.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The AsyncAPI document is valid AsyncAPI 3.0 (its official JSON Schema) and says what the codec does: the client
 * types it lists are the ones the decoder accepts, a frame built from each client schema decodes into that message,
 * and every server message the codec encodes validates against its schema in the document.
 */
class AsyncApiTest {

    public record Note(@NotBlank @Size(max = 40) String text, @Min(1) @Max(99) int quantity) {
    }

    public record Quote(String sku, long totalCents) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory DRAFT7 = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);

    private final JsonObject document = AsyncApi.document("1.0-test", "127.0.0.1:8080", "/app/ws", false,
            List.of(new AsyncApi.TypedRoom("orders:*", Note.class), new AsyncApi.TypedRoom("lobby", JsonValue.class)),
            List.of(new AsyncApi.TypedRequest("quote", Note.class, Quote.class)));

    private static JsonNode node(String json) throws Exception {
        return JSON.readTree(json);
    }

    private JsonObject schema(String key) {
        return document.getJsonObject("components").getJsonObject("schemas").getJsonObject(key);
    }

    private static Set<ValidationMessage> violations(JsonObject schema, String instance) throws Exception {
        JsonSchema compiled = DRAFT7.getSchema(node(schema.toString()));
        return compiled.validate(node(instance));
    }

    @Test
    void theDocumentIsValidAsyncApi3() throws Exception {
        try (InputStream official = AsyncApiTest.class.getResourceAsStream("/asyncapi/asyncapi-3.0.0.schema.json")) {
            JsonSchema asyncApi = DRAFT7.getSchema(official);
            Set<ValidationMessage> errors = asyncApi.validate(node(document.toString()));
            assertTrue(errors.isEmpty(), "not valid AsyncAPI 3.0.0: " + errors);
            // and the check can fail: a document without its info is refused
            JsonObjectBuilder broken = Json.createObjectBuilder(document);
            broken.remove("info");
            assertFalse(asyncApi.validate(node(broken.build().toString())).isEmpty());
        }
    }

    @Test
    void theClientTypesAreTheOnesTheDecoderAcceptsAndEachDecodesIntoItsMessage() throws Exception {
        Map<String, Class<?>> clients = AsyncApi.messages(ClientMessage.class);
        assertEquals(new TreeSet<>(Codec.TYPES), new TreeSet<>(clients.keySet()), "the decoder and the document agree");
        for (Map.Entry<String, Class<?>> client : clients.entrySet()) {
            JsonObject schema = schema("client." + client.getKey());
            String frame = sample(schema).toString();
            assertTrue(violations(schema, frame).isEmpty(), frame + ": " + violations(schema, frame));
            ClientMessage decoded = Codec.decode(frame);
            assertInstanceOf(client.getValue(), decoded, frame + " → " + decoded);
            if (schema.getJsonObject("properties").containsKey("room")) { // the decoder's rule, whole: a bad name is refused
                String badRoom = Json.createObjectBuilder(Json.createReader(new java.io.StringReader(frame)).readObject())
                        .add("room", "a room with spaces").build().toString();
                assertFalse(violations(schema, badRoom).isEmpty(), badRoom);
                assertInstanceOf(ClientMessage.Malformed.class, Codec.decode(badRoom), "and the decoder refuses it too");
            }
            assertEquals(document.getJsonObject("channels").getJsonObject("socket").getJsonObject("messages")
                    .getJsonObject("client." + client.getKey()).getString("$ref"), "#/components/messages/client." + client.getKey());
        }
    }

    @Test
    void everyServerMessageTheCodecEncodesValidatesAgainstItsSchema() throws Exception {
        for (Map.Entry<String, Class<?>> server : AsyncApi.messages(ServerMessage.class).entrySet()) {
            String encoded = Codec.encode((ServerMessage) instance(server.getValue()));
            Set<ValidationMessage> errors = violations(schema("server." + server.getKey()), encoded);
            assertTrue(errors.isEmpty(), server.getKey() + " " + encoded + ": " + errors);
            // the schema fixes the type: the same frame under another type is refused
            String renamed = Json.createObjectBuilder(Json.createReader(new java.io.StringReader(encoded)).readObject())
                    .add("type", "not-" + server.getKey()).build().toString();
            assertFalse(violations(schema("server." + server.getKey()), renamed).isEmpty(), renamed);
        }
    }

    @Test
    void theApplicationsTypedRoomsAndRequestsCarryTheirRecordsSchemasAndConstraints() throws Exception {
        JsonObject publish = schema("room.orders.publish");
        JsonObject note = publish.getJsonObject("properties").getJsonObject("data");
        assertEquals(List.of("quantity", "text"), note.getJsonArray("required").getValuesAs(jakarta.json.JsonString.class)
                .stream().map(jakarta.json.JsonString::getString).sorted().toList());
        assertEquals(40, note.getJsonObject("properties").getJsonObject("text").getInt("maxLength"));
        assertEquals(99, note.getJsonObject("properties").getJsonObject("quantity").getInt("maximum"));
        assertTrue(violations(publish, "{\"type\":\"publish\",\"room\":\"orders:1\",\"data\":{\"text\":\"ok\",\"quantity\":2}}").isEmpty());
        assertFalse(violations(publish, "{\"type\":\"publish\",\"room\":\"orders:1\",\"data\":{\"text\":\"\",\"quantity\":200}}").isEmpty(),
                "a note the server would refuse is refused by the schema too");
        assertEquals("orders:{key}", document.getJsonObject("channels").getJsonObject("room.orders").getString("address"));
        assertEquals("lobby", document.getJsonObject("channels").getJsonObject("room.lobby").getString("address"));
        JsonObject reply = schema("reply.quote").getJsonObject("properties").getJsonObject("data");
        assertEquals("integer", reply.getJsonObject("properties").getJsonObject("totalCents").getString("type"));
        assertEquals("#/channels/socket/messages/reply.quote", document.getJsonObject("operations")
                .getJsonObject("request.quote").getJsonObject("reply").getJsonArray("messages").getJsonObject(0).getString("$ref"));
        assertEquals(4403, document.getJsonObject("x-close-codes").getInt("FORBIDDEN"));
        assertEquals("timeout", document.getJsonObject("x-error-codes").getString("TIMEOUT"));
    }

    // ------------------------------------------------------------------ samples

    /** A JSON value satisfying {@code schema}: every property given, with a value of its type. */
    private static JsonValue sample(JsonObject schema) {
        if (schema.containsKey("const")) {
            return schema.get("const");
        }
        switch (schema.getString("type", "any")) {
            case "object":
                JsonObjectBuilder object = Json.createObjectBuilder();
                if (!schema.containsKey("properties")) {
                    return object.build(); // a map (tags, a filter): empty is none
                }
                schema.getJsonObject("properties").forEach((name, property) -> object.add(name, sample(property.asJsonObject())));
                return object.build();
            case "array":
                return Json.createArrayBuilder().build();
            case "string": // a room name, method, key, id, user, and a credential (bearer.…) at once
                return Json.createValue("bearer.x-1");
            case "integer":
                return Json.createValue(1);
            case "number":
                return Json.createValue(1.5);
            case "boolean":
                return JsonValue.TRUE;
            default:
                return Json.createObjectBuilder().add("any", 1).build();
        }
    }

    /** An instance of a record with a sample value in every component. */
    private static Object instance(Class<?> record) throws Exception {
        RecordComponent[] components = record.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = value(components[i].getGenericType());
        }
        return record.getDeclaredConstructor(types).newInstance(values);
    }

    private static Object value(Type type) throws Exception {
        Class<?> c = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (c == String.class) {
            return "x";
        }
        if (c == long.class || c == Long.class) {
            return 7L;
        }
        if (c == int.class || c == Integer.class) {
            return 7;
        }
        if (c == boolean.class || c == Boolean.class) {
            return true;
        }
        if (JsonValue.class.isAssignableFrom(c)) {
            return Json.createObjectBuilder().add("any", 1).build();
        }
        if (List.class.isAssignableFrom(c)) {
            List<Object> one = new ArrayList<>();
            one.add(value(((ParameterizedType) type).getActualTypeArguments()[0]));
            return one;
        }
        if (Map.class.isAssignableFrom(c)) {
            return Map.of("k", value(((ParameterizedType) type).getActualTypeArguments()[1]));
        }
        if (c.isRecord()) {
            return instance(c);
        }
        throw new AssertionError("no sample for " + type);
    }
}
