package dev.switchboard.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Rejection;
import dev.switchboard.RoomCall;
import dev.switchboard.RoomHandler;
import dev.switchboard.TypedRequestHandler;
import dev.switchboard.engine.RoomRules;
import dev.switchboard.security.Caller;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.validation.Valid;
import jakarta.validation.Validation;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The typed handlers as the engine sees them, with Hibernate Validator as the servers have it: decoding, Bean
 * Validation with a detail per property, transformation, the application's refusals, failures as incidents, the time
 * limit, and which rooms a handler rules.
 */
class HandlerRulesTest {

    public record Line(@NotBlank String sku, @Positive int quantity) {
    }

    public record Note(@NotBlank @Size(max = 20) String text, @Valid List<Line> lines) {
    }

    public record Stamped(String text, String by, int lines) {
    }

    private static final Caller ANN = new Caller("ann", Set.of("clerk"), false, null);

    private final HandlerPool pool = new HandlerPool(Executors.defaultThreadFactory(), 4, Duration.ofSeconds(2));
    private final Payloads payloads = new Payloads(Validation.buildDefaultValidatorFactory());
    private final CountDownLatch leaves = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    /** orders:* — only ann joins; a note is stamped with its author; "slow" takes longer than the limit; "boom" fails. */
    private final RoomHandler<Note> orders = new RoomHandler<>() {
        @Override
        public String rooms() {
            return "orders:*";
        }

        @Override
        public Class<Note> type() {
            return Note.class;
        }

        @Override
        public void onJoin(RoomCall call) {
            if (!call.user().equals("ann")) {
                throw new Rejection("not_on_order", "order " + call.key() + " is not yours", Map.of("room", call.room()));
            }
        }

        @Override
        public Object onPublish(RoomCall call, Note note) {
            if (note.text().equals("boom")) {
                throw new IllegalStateException("a bug in the application");
            }
            if (note.text().equals("slow")) {
                // a slow handler: it waits for a release that comes at the test's end; the pool's limit answers first
                // (2 s: a first Bean Validation on a loaded machine takes its time, and must not hit the limit)
                try {
                    assertFalse(release.await(8, TimeUnit.SECONDS), "released only after the test");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the limit interrupts it
                }
            }
            return new Stamped(note.text(), call.user(), note.lines() == null ? 0 : note.lines().size());
        }

        @Override
        public void onLeave(RoomCall call) {
            leaves.countDown();
        }
    };

    private final RoomHandler<JsonValue> lobby = new RoomHandler<>() {
        @Override
        public String rooms() {
            return "lobby";
        }

        @Override
        public Class<JsonValue> type() {
            return JsonValue.class;
        }
    };

    private final HandlerRules rules = new HandlerRules(List.of(orders, lobby), pool, payloads);

    @AfterEach
    void stop() {
        release.countDown();
        pool.stop();
    }

    private static JsonValue json(String text) {
        return Json.createReader(new StringReader(text)).readValue();
    }

    private static RoomRules.Refused refused(RoomRules.Verdict verdict) {
        return assertInstanceOf(RoomRules.Refused.class, verdict, String.valueOf(verdict));
    }

    @Test
    void aHandlerRulesItsRoomNameOrItsRoomClassAndNothingElse() {
        assertTrue(rules.governs("orders:42"));
        assertTrue(rules.governs("lobby"));
        assertFalse(rules.governs("orders"), "a class rules the rooms named class:…, not a room named like the class");
        assertFalse(rules.governs("lobby:x"));
        assertFalse(rules.governs("chat:1"));
        assertFalse(new HandlerRules(List.of(), pool, payloads).governs("orders:1"));
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> new HandlerRules(List.of(orders, orders), pool, payloads));
        assertTrue(twice.getMessage().contains("orders:*"), twice.getMessage());
    }

    @Test
    void aValidPayloadIsDecodedAndPublishedAsTheHandlerMadeIt() {
        RoomRules.Verdict verdict = rules.publish(ANN, "c1", "orders:42",
                json("{\"text\":\"packed\",\"lines\":[{\"sku\":\"A-1\",\"quantity\":2}]}"));
        JsonObject published = assertInstanceOf(RoomRules.Allowed.class, verdict).data().asJsonObject();
        assertEquals("packed", published.getString("text"));
        assertEquals("ann", published.getString("by"));
        assertEquals(1, published.getInt("lines"));
        assertEquals("{\"any\":[1,2]}", ((RoomRules.Allowed) rules.publish(ANN, "c1", "lobby", json("{\"any\":[1,2]}")))
                .data().toString(), "a JsonValue handler gets the JSON as it is");
    }

    @Test
    void anInvalidPayloadIsAnsweredInvalidWithEveryPropertyAndItsMessage() {
        RoomRules.Refused no = refused(rules.publish(ANN, "c1", "orders:42",
                json("{\"text\":\"\",\"lines\":[{\"sku\":\"A-1\",\"quantity\":0}]}")));
        assertEquals("invalid", no.code());
        assertEquals(Set.of("text", "lines[0].quantity"), no.details().keySet(), no.details().toString());
        assertEquals("must not be blank", no.details().get("text"));
        assertEquals("must be greater than 0", no.details().get("lines[0].quantity"));
        assertTrue(no.message().contains("Note"), no.message());

        RoomRules.Refused shape = refused(rules.publish(ANN, "c1", "orders:42", json("[1,2]")));
        assertEquals("invalid", shape.code());
        assertEquals("not a Note", shape.details().get("data"));
        assertEquals(Map.of("data", "required"), refused(rules.publish(ANN, "c1", "orders:42", JsonValue.NULL)).details());
    }

    @Test
    void theMessagesOfAnInvalidPayloadAreInTheCallersLanguage() {
        JsonValue bad = json("{\"text\":\"\",\"lines\":[{\"sku\":\"A-1\",\"quantity\":0}]}");
        RoomRules.Refused german = refused(rules.publish(ANN.speaking(java.util.Locale.GERMANY), "c1", "orders:42", bad));
        assertEquals(Map.of("text", "darf nicht leer sein", "lines[0].quantity", "muss größer als 0 sein"), german.details());
        RoomRules.Refused french = refused(rules.publish(ANN.speaking(java.util.Locale.FRENCH), "c1", "orders:42", bad));
        assertEquals("ne doit pas être vide", french.details().get("text"));
        assertEquals("must not be blank", refused(rules.publish(ANN, "c1", "orders:42", bad)).details().get("text"),
                "a caller whose language is not known: the server's default");
        for (int i = 0; i < 40; i++) { // more languages than are kept: each still answered in its own
            java.util.Locale language = java.util.Locale.forLanguageTag((i % 2 == 0 ? "de" : "fr") + "-x-n" + i);
            RoomRules.Refused other = refused(rules.publish(ANN.speaking(language), "c1", "orders:42", bad));
            assertEquals(i % 2 == 0 ? "darf nicht leer sein" : "ne doit pas être vide", other.details().get("text"));
        }
    }

    @Test
    void theApplicationsRefusalCarriesItsCodeAndAFailureIsAnIncident() {
        RoomRules.Refused no = refused(rules.join(new Caller("bob", Set.of(), false, null), "c2", "orders:42"));
        assertEquals("not_on_order", no.code());
        assertEquals("order 42 is not yours", no.message());
        assertEquals(Map.of("room", "orders:42"), no.details());
        assertInstanceOf(RoomRules.Allowed.class, rules.join(ANN, "c1", "orders:42"));

        RoomRules.Refused failed = refused(rules.publish(ANN, "c1", "orders:42", json("{\"text\":\"boom\"}")));
        assertEquals("internal", failed.code());
        assertTrue(failed.message().matches("an unexpected failure, logged on the server as incident [0-9a-f]{8}"),
                failed.message());
    }

    @Test
    void aSlowHandlerIsAnsweredTimeoutWithinTheLimit() {
        long start = System.nanoTime();
        RoomRules.Refused late = refused(rules.publish(ANN, "c1", "orders:42", json("{\"text\":\"slow\"}")));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals("timeout", late.code());
        assertTrue(tookMs >= 1_950 && tookMs < 4_500, "answered at the limit, not when the handler ended: " + tookMs + " ms");
    }

    @Test
    void aLeaveIsToldOnThePoolWithoutWaiting() throws Exception {
        rules.left(ANN, "c1", "orders:42");
        assertTrue(leaves.await(5, TimeUnit.SECONDS), "onLeave ran");
    }

    @Test
    void aTypedRequestHandlerTakesAndGivesRecordsValidated() {
        TypedRequestHandler<Line, Stamped> quote = new TypedRequestHandler<>() {
            @Override
            public String method() {
                return "quote";
            }

            @Override
            public Class<Line> type() {
                return Line.class;
            }

            @Override
            public Stamped handle(Caller caller, Line line) {
                if (line.sku().equals("GONE")) {
                    throw new Rejection("discontinued", "no longer sold");
                }
                return new Stamped(line.sku(), caller.name(), line.quantity());
            }
        };
        TypedRequests typed = new TypedRequests(quote, pool, payloads);
        assertEquals("quote", typed.method());
        JsonObject reply = typed.handle(ANN, json("{\"sku\":\"A-1\",\"quantity\":3}")).asJsonObject();
        assertEquals(3, reply.getInt("lines"));
        assertEquals("ann", reply.getString("by"));
        Rejection invalid = assertThrows(Rejection.class, () -> typed.handle(ANN, json("{\"sku\":\" \",\"quantity\":3}")));
        assertEquals("invalid", invalid.code());
        assertEquals(Map.of("sku", "must not be blank"), invalid.details());
        assertEquals("discontinued", assertThrows(Rejection.class,
                () -> typed.handle(ANN, json("{\"sku\":\"GONE\",\"quantity\":1}"))).code());
    }
}
