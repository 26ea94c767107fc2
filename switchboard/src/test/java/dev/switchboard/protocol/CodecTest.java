package dev.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Switchboard.Member;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CodecTest {

    static JsonObject parse(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void everyServerMessageEncodesWithItsType() {
        JsonValue data = Json.createObjectBuilder().add("k", "v").build();
        Map<ServerMessage, String> cases = new java.util.LinkedHashMap<>();
        cases.put(new ServerMessage.Welcome("s", "u", 25000, "switchboard.v1", new ServerMessage.Limits(65536, 64, 50, 100)), "welcome");
        cases.put(new ServerMessage.Joined("r", "room", "e", 3, true, List.of(new Member("u", 2))), "joined");
        cases.put(new ServerMessage.Left("r", "room"), "left");
        cases.put(new ServerMessage.Ack("r", "room", 4L), "ack");
        cases.put(new ServerMessage.Message("room", "e", 4, "u", 1L, data, null), "message");
        cases.put(new ServerMessage.Direct("u", data), "direct");
        cases.put(new ServerMessage.Reply("r", data), "reply");
        cases.put(new ServerMessage.Presence("r", "room", List.of(new Member("u", 1))), "presence");
        cases.put(new ServerMessage.PresenceDiff("room", List.of("a"), List.of("b")), "presence_diff");
        cases.put(new ServerMessage.Pong("r"), "pong");
        cases.put(new ServerMessage.Error("r", "invalid", "m", Map.of("room", "x")), "error");
        cases.forEach((message, type) -> {
            JsonObject json = parse(Codec.encode(message));
            assertEquals(type, json.getString("type"), json.toString());
        });
        JsonObject welcome = parse(Codec.encode(new ServerMessage.Welcome("s", "u", 25000, "switchboard.v1",
                new ServerMessage.Limits(65536, 64, 50, 100))));
        assertEquals("u", welcome.getString("user"));
        assertEquals(65536, welcome.getJsonObject("limits").getInt("maxMessageBytes"));
        JsonObject message = parse(Codec.encode(new ServerMessage.Message("room", "e", 4, null, 1L, data, null)));
        assertEquals(4, message.getInt("offset"));
        assertEquals(data, message.getJsonObject("data"));
        assertTrue(!message.containsKey("from"), "null fields are omitted: " + message);
        JsonObject joined = parse(Codec.encode(new ServerMessage.Joined("r", "room", "e", 3, null, List.of(new Member("u", 2)))));
        assertEquals(2, joined.getJsonArray("presence").getJsonObject(0).getInt("connections"));
    }

    @Test
    void theAnswersWrittenWithJsonPAreWhatJsonBWrites() {
        JsonValue data = Json.createObjectBuilder().add("t", 1).add("s", Json.createArrayBuilder().add("x").add(2.5)).build();
        List<ServerMessage> answers = List.of(
                new ServerMessage.Reply("r1", data), new ServerMessage.Reply("r2", JsonValue.NULL), new ServerMessage.Reply("r3", null),
                new ServerMessage.Reply(null, Json.createValue("text \"quoted\" \u00e9\n")),
                new ServerMessage.Ack("a1", "room", 42L), new ServerMessage.Ack("a2", null, null),
                new ServerMessage.Pong("p1"), new ServerMessage.Pong(null),
                new ServerMessage.Welcome("1-ab", "guest-x", 25000, "switchboard.v1", new ServerMessage.Limits(65536, 64, 50, 100)),
                new ServerMessage.Welcome("2-cd", "Zoë \"q\" \u2603", 0, "switchboard.v1.batch",
                        new ServerMessage.Limits(1, 2, 3, 4), 1234L),
                new ServerMessage.Welcome(null, null, 5, null, null, null));
        for (ServerMessage m : answers) {
            assertEquals(Codec.jsonb().toJson(m), Codec.encode(m), m.toString());
        }
    }

    @Test
    void everyClientMessageDecodes() {
        assertEquals(new ClientMessage.Join("1", "lobby", null, null, null), Codec.decode("{\"type\":\"join\",\"id\":\"1\",\"room\":\"lobby\"}"));
        assertEquals(new ClientMessage.Join("1", "lobby", new ClientMessage.Since("e", 5L), null, null),
                Codec.decode("{\"type\":\"join\",\"id\":\"1\",\"room\":\"lobby\",\"since\":{\"epoch\":\"e\",\"offset\":5}}"));
        assertEquals(new ClientMessage.Join("1", "ticker:x", null, 3, null),
                Codec.decode("{\"type\":\"join\",\"id\":\"1\",\"room\":\"ticker:x\",\"rewind\":3}"));
        assertEquals(new ClientMessage.HistoryQuery("h", "lobby", 10, new ClientMessage.Since("e", 5L), true, null),
                Codec.decode("{\"type\":\"history\",\"id\":\"h\",\"room\":\"lobby\",\"limit\":10,"
                        + "\"since\":{\"epoch\":\"e\",\"offset\":5},\"reverse\":true}"));
        assertEquals(new ClientMessage.HistoryQuery("h", "lobby", null, null, null, null),
                Codec.decode("{\"type\":\"history\",\"id\":\"h\",\"room\":\"lobby\"}"));
        ClientMessage noLimit = Codec.decode("{\"type\":\"history\",\"id\":\"h\",\"room\":\"lobby\",\"limit\":0}");
        assertEquals(Map.of("limit", "an integer from 1 to 10000 (and at most the room's history.page-max)"),
                ((ClientMessage.Malformed) noLimit).details());
        ClientMessage badRewind = Codec.decode("{\"type\":\"join\",\"id\":\"1\",\"room\":\"x\",\"rewind\":-1}");
        assertEquals(java.util.Set.of("rewind"), ((ClientMessage.Malformed) badRewind).details().keySet());
        assertEquals(new ClientMessage.Leave("2", "lobby"), Codec.decode("{\"type\":\"leave\",\"id\":\"2\",\"room\":\"lobby\"}"));
        ClientMessage publish = Codec.decode("{\"type\":\"publish\",\"id\":\"3\",\"room\":\"lobby\",\"data\":{\"text\":\"hi\"}}");
        assertEquals("hi", assertInstanceOf(ClientMessage.Publish.class, publish).data().asJsonObject().getString("text"));
        ClientMessage publishString = Codec.decode("{\"type\":\"publish\",\"id\":\"3\",\"room\":\"lobby\",\"data\":\"hi\"}");
        assertEquals(Json.createValue("hi"), ((ClientMessage.Publish) publishString).data());
        assertEquals(new ClientMessage.Send("4", "bob", Json.createValue(1), null), Codec.decode("{\"type\":\"send\",\"id\":\"4\",\"to\":\"bob\",\"data\":1}"));
        assertEquals(new ClientMessage.Request("5", "echo", JsonValue.TRUE), Codec.decode("{\"type\":\"request\",\"id\":\"5\",\"method\":\"echo\",\"data\":true}"));
        assertEquals(new ClientMessage.PresenceQuery("6", "lobby"), Codec.decode("{\"type\":\"presence\",\"id\":\"6\",\"room\":\"lobby\"}"));
        assertEquals(new ClientMessage.Ping(null), Codec.decode("{\"type\":\"ping\"}"));
    }

    @Test
    void badInputBecomesATypedMalformedMessage() {
        assertMalformed("{oops", null, ErrorCode.BAD_JSON);
        assertMalformed("", null, ErrorCode.BAD_JSON);
        assertMalformed("42", null, ErrorCode.BAD_JSON);
        assertMalformed("[{}]", null, ErrorCode.BAD_JSON);
        assertMalformed("{\"type\":\"dance\",\"id\":\"7\"}", "7", ErrorCode.UNKNOWN_TYPE);
        assertMalformed("{\"type\":5}", null, ErrorCode.UNKNOWN_TYPE);
        assertMalformed("{\"id\":\"8\"}", "8", ErrorCode.UNKNOWN_TYPE);
        assertMalformed("{\"type\":\"join\",\"id\":\"9\"}", "9", ErrorCode.INVALID);
        assertMalformed("{\"type\":\"join\",\"id\":\"9\",\"room\":\"a b\"}", "9", ErrorCode.INVALID);
        assertMalformed("{\"type\":\"join\",\"id\":\"9\",\"room\":[1]}", "9", ErrorCode.INVALID);
        assertMalformed("{\"type\":\"join\",\"id\":\"9\",\"room\":\"r\",\"since\":{\"offset\":-1,\"epoch\":\"e\"}}", "9", ErrorCode.INVALID);
        assertMalformed("{\"type\":\"join\",\"id\":\"9\",\"room\":\"r\",\"since\":{\"offset\":\"x\"}}", "9", ErrorCode.INVALID);
        assertMalformed("{\"type\":\"publish\",\"id\":\"9\",\"room\":\"r\"}", "9", ErrorCode.INVALID);
        assertMalformed("{\"type\":\"send\",\"id\":\"9\",\"data\":1}", "9", ErrorCode.INVALID);
        assertMalformed("{\"type\":\"request\",\"id\":\"9\"}", "9", ErrorCode.INVALID);
        assertMalformed("{\"type\":\"ping\",\"id\":\"" + "x".repeat(65) + "\"}", null, ErrorCode.INVALID);
        assertMalformed("{\"type\":\"ping\",\"id\":7}", null, ErrorCode.INVALID);
        assertMalformed("[".repeat(50_000), null, ErrorCode.BAD_JSON);
        assertMalformed("{\"type\":\"ping\",\"id\":\"" + "\u00e9".repeat(40_000) + "\"}", null, Codec.TOO_BIG);
    }

    @Test
    void thousandsOfRandomPayloadsNeverThrow() {
        java.util.Random random = new java.util.Random(42);
        String alphabet = "{}[]\":,. \\tnulrefasJOINpubshy0123456789-eE\u00e9\u2028";
        String valid = "{\"type\":\"publish\",\"id\":\"1\",\"room\":\"r\",\"data\":{\"a\":[1,2,{\"b\":null}]}}";
        for (int i = 0; i < 10_000; i++) {
            String input;
            if (i % 2 == 0) {
                StringBuilder b = new StringBuilder();
                int n = random.nextInt(64);
                for (int j = 0; j < n; j++) {
                    b.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                input = b.toString();
            } else {
                char[] chars = valid.toCharArray();
                chars[random.nextInt(chars.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
                input = new String(chars);
            }
            ClientMessage decoded = Codec.decode(input);
            if (decoded instanceof ClientMessage.Malformed m) {
                assertTrue(m.code() != null && m.message() != null, m.toString());
            }
        }
    }

    private static void assertMalformed(String input, String id, String code) {
        ClientMessage decoded = Codec.decode(input);
        ClientMessage.Malformed malformed = assertInstanceOf(ClientMessage.Malformed.class, decoded, input);
        assertEquals(code, malformed.code(), input + " -> " + malformed);
        assertEquals(id, malformed.id(), input + " -> " + malformed);
    }
}
