package dev.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tags and filters: what matches, what the rules refuse, and how they travel on the wire. */
class TagFilterTest {

    private static JsonValue json(String text) {
        return Json.createReader(new StringReader(text)).readValue();
    }

    @Test
    void everyNamedTagMustMatchOneOfItsValues() {
        TagFilter f = TagFilter.fromJson(json("{\"region\":[\"eu\",\"us\"],\"tier\":\"gold\"}"));
        assertTrue(f.matches(Map.of("region", "eu", "tier", "gold")));
        assertTrue(f.matches(Map.of("region", "us", "tier", "gold", "other", "x")), "tags not named do not matter");
        assertFalse(f.matches(Map.of("region", "asia", "tier", "gold")), "a value not accepted");
        assertFalse(f.matches(Map.of("region", "eu")), "a named tag missing");
        assertFalse(f.matches(null), "no tags at all");
        assertNull(TagFilter.fromJson(null), "no filter");
        assertNull(TagFilter.fromJson(json("{}")), "an empty filter is none");
        assertTrue(f.matchesFrame(Codec.encode(new ServerMessage.Message("r", "e", 1, null, 1, JsonValue.NULL,
                Tags.of(Map.of("tier", "gold", "region", "us"))))));
    }

    @Test
    void theRulesRefuseWhatIsTooBigOrOfTheWrongShape() {
        for (String bad : List.of("[]", "\"eu\"", "{\"region\":1}", "{\"region\":[]}", "{\"region\":[1]}",
                "{\"bad name\":\"x\"}", "{\"r\":\"" + "x".repeat(129) + "\"}")) {
            assertEquals(TagFilter.RULE, TagFilter.problem(json(bad)), bad);
        }
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 17; i++) {
            many.put("t" + i, "v");
        }
        assertThrows(IllegalArgumentException.class, () -> Tags.of(many), "17 tags");
        assertThrows(IllegalArgumentException.class, () -> Tags.of(Map.of("a b", "v")), "a name with a space");
        assertThrows(IllegalArgumentException.class, () -> TagFilter.of(Map.of("region", List.of())), "no values");
        assertEquals(List.of("a", "b", "c"), List.copyOf(Tags.of(Map.of("c", "3", "a", "1", "b", "2")).keySet()),
                "sorted by name: one publication, one frame");
    }

    @Test
    void publishTagsAndJoinFiltersDecodeOrAreAnsweredInvalid() {
        ClientMessage.Publish p = (ClientMessage.Publish) Codec.decode(
                "{\"type\":\"publish\",\"id\":\"1\",\"room\":\"r\",\"data\":1,\"tags\":{\"region\":\"eu\"}}");
        assertEquals(Map.of("region", "eu"), p.tags());
        ClientMessage wrongType = Codec.decode("{\"type\":\"publish\",\"id\":\"2\",\"room\":\"r\",\"data\":1,\"tags\":{\"n\":1}}");
        assertEquals(Map.of("tags", Tags.RULE), assertInstanceOf(ClientMessage.Malformed.class, wrongType).details());
        assertEquals("invalid", ((ClientMessage.Malformed) wrongType).code());
        ClientMessage tooMany = Codec.decode("{\"type\":\"publish\",\"id\":\"3\",\"room\":\"r\",\"data\":1,\"tags\":"
                + "{\"a\":\"\",\"b\":\"\",\"c\":\"\",\"d\":\"\",\"e\":\"\",\"f\":\"\",\"g\":\"\",\"h\":\"\",\"i\":\"\","
                + "\"j\":\"\",\"k\":\"\",\"l\":\"\",\"m\":\"\",\"n\":\"\",\"o\":\"\",\"p\":\"\",\"q\":\"\"}}");
        assertEquals(Map.of("tags", Tags.RULE), ((ClientMessage.Malformed) tooMany).details());

        ClientMessage.Join join = (ClientMessage.Join) Codec.decode(
                "{\"type\":\"join\",\"id\":\"j\",\"room\":\"r\",\"filter\":{\"region\":[\"eu\",\"us\"]}}");
        assertEquals(json("{\"region\":[\"eu\",\"us\"]}"), join.filter());
        ClientMessage notAnObject = Codec.decode("{\"type\":\"join\",\"id\":\"j\",\"room\":\"r\",\"filter\":\"eu\"}");
        assertEquals("invalid", assertInstanceOf(ClientMessage.Malformed.class, notAnObject).code());
        ClientMessage badFilter = Codec.decode("{\"type\":\"join\",\"id\":\"j\",\"room\":\"r\",\"filter\":{\"region\":2}}");
        assertEquals(Map.of("filter", TagFilter.RULE), ((ClientMessage.Malformed) badFilter).details());
        ClientMessage.HistoryQuery h = (ClientMessage.HistoryQuery) Codec.decode(
                "{\"type\":\"history\",\"id\":\"h\",\"room\":\"r\",\"filter\":{\"tier\":\"gold\"}}");
        assertEquals(json("{\"tier\":\"gold\"}"), h.filter());

        JsonObject frame = (JsonObject) json(Codec.encode(new ServerMessage.Message("r", "e", 1, null, 1, JsonValue.NULL,
                Tags.of(Map.of("region", "eu")))));
        assertEquals("eu", frame.getJsonObject("tags").getString("region"));
        assertFalse(((JsonObject) json(Codec.encode(new ServerMessage.Message("r", "e", 1, null, 1, JsonValue.NULL, null))))
                .containsKey("tags"), "no tags: no field");
    }
}
