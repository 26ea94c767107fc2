package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.client.SwitchboardException;
import dev.switchboard.it.userapp.OrderRooms;
import dev.switchboard.it.userapp.Quotes;
import dev.switchboard.test.Await;
import dev.switchboard.test.SwitchboardApi;
import dev.switchboard.test.SwitchboardArchives;
import dev.switchboard.test.TestClient;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The application's code in its rooms, on every server: a user's WAR with the library, a {@link OrderRooms} room
 * handler and a {@link Quotes} typed request handler (Bean Validation on their records, the container's own
 * validator), used by the Java client as a browser's user would.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HandlersIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return SwitchboardArchives.addLibrary(ShrinkWrap.create(WebArchive.class, "handlers-it.war"))
                .addClasses(OrderRooms.class, OrderRooms.Note.class, OrderRooms.Stamped.class, Quotes.class,
                        Quotes.Line.class, Quotes.Quote.class)
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml")
                .addAsResource(new StringAsset("switchboard.auth.anonymous-room-classes=*\n"
                        + "switchboard.handlers.timeout-ms=1000\n"
                        + "switchboard.api.keys=it:" + KEY + "\n"
                        + "switchboard.api.rate.per-second=5\nswitchboard.api.rate.burst=5\n"
                        + "switchboard.auth.jwt-secret=" + AuthIT.SECRET + "\n"), "META-INF/microprofile-config.properties");
    }

    private static final String KEY = "handlers-it-key-0123456789";

    @ArquillianResource
    URL url;

    private URI endpoint() {
        return Deployments.ws(url).resolve("ws");
    }

    private static JsonObject note(String text, int quantity) {
        return jakarta.json.Json.createObjectBuilder().add("text", text).add("quantity", quantity).build();
    }

    @Test
    void aMembersPublicationIsValidatedThenPublishedAsTheHandlerMadeIt() {
        String room = "orders:" + UUID.randomUUID().toString().substring(0, 8);
        try (TestClient clerk = TestClient.connect(endpoint()); TestClient watcher = TestClient.connect(endpoint())) {
            clerk.join(room);
            watcher.join(room);
            assertEquals(1, clerk.publish(room, note("packed", 2)).offset());
            JsonObject stamped = watcher.awaitMessage(room).data().asJsonObject();
            assertEquals(Map.of("text", "packed", "quantity", 2, "by", clerk.user()),
                    Map.of("text", stamped.getString("text"), "quantity", stamped.getInt("quantity"), "by", stamped.getString("by")),
                    "published as the handler stamped it: " + stamped);

            SwitchboardException invalid = Await.error(clerk.client().publish(room, note("", 0)), () -> "an invalid note");
            assertEquals("invalid", invalid.code());
            assertEquals("must not be blank", invalid.details().getString("text"), invalid.details().toString());
            assertTrue(invalid.details().getString("quantity").startsWith("must be greater than or equal to 1"),
                    invalid.details().toString());
            assertEquals("invalid", Await.error(clerk.client().publish(room, "just a string"), () -> "not a Note").code());

            assertEquals(2, clerk.publish(room, note("shipped", 2)).offset(), "the refused ones took no offset");
            assertEquals("shipped", watcher.awaitMessage(room).data().asJsonObject().getString("text"),
                    "the next thing the watcher hears is the next valid note");
        }
    }

    /**
     * The violations' messages in the language the handshake's {@code Accept-Language} named first (a browser sends
     * its user's): the connection keeps it through the container's handshake (Jakarta WebSocket 2.1 user properties).
     */
    @Test
    void aClientThatAsksForGermanIsToldWhatIsWrongInGerman() {
        String room = "orders:" + UUID.randomUUID().toString().substring(0, 8);
        try (TestClient clerk = TestClient.connect(endpoint(), dev.switchboard.client.ClientOptions.builder()
                .header("Accept-Language", "de-DE,de;q=0.9,en;q=0.5"))) {
            clerk.join(room);
            SwitchboardException invalid = Await.error(clerk.client().publish(room, note("", 0)), () -> "an invalid note");
            assertEquals("invalid", invalid.code());
            // Open Liberty's messages end with a full stop, Hibernate Validator's elsewhere do not
            assertTrue(invalid.details().getString("text").startsWith("darf nicht leer sein"), invalid.details().toString());
            assertTrue(invalid.details().getString("quantity").startsWith("muss gr"), invalid.details().toString());
            SwitchboardException request = Await.error(clerk.client().request("quote", Map.of("sku", " ", "quantity", 1)),
                    () -> "an invalid line");
            assertTrue(request.details().getString("sku").startsWith("darf nicht leer sein"), request.details().toString());
        }
    }

    @Test
    void theHandlerRefusesAJoinWithItsOwnCodeAndIsToldOfLeaves() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        try (TestClient clerk = TestClient.connect(endpoint())) {
            assertEquals("archived", clerk.joinRefused("orders:archived-" + suffix));
            clerk.join("orders:" + suffix);
            clerk.join("chat:" + suffix); // no handler: as always
            Await.value(clerk.client().leave("orders:" + suffix), () -> "the leave");
            String left = clerk.user() + " orders:" + suffix;
            long deadline = System.nanoTime() + Await.DEFAULT.toNanos();
            List<String> leaves = leaves(clerk);
            while (!leaves.contains(left) && System.nanoTime() < deadline) { // onLeave runs without anyone waiting
                leaves = leaves(clerk);
            }
            assertTrue(leaves.contains(left), "the handler was told of the leave: " + leaves);
            assertTrue(leaves.stream().noneMatch(l -> l.endsWith("chat:" + suffix)), "nor of rooms it does not rule");
        }
    }

    @Test
    void aTypedRequestIsAnsweredWithARecordOrATypedError() {
        try (TestClient buyer = TestClient.connect(endpoint())) {
            JsonObject quote = quote(buyer, "A-1");
            assertEquals(750, quote.getInt("totalCents"));
            assertEquals(buyer.user(), quote.getString("forUser"));
            assertTrue(quote.getBoolean("naming"), "the handler runs with the application's naming context (java:comp)");

            SwitchboardException invalid = Await.error(buyer.client().request("quote", Map.of("sku", " ", "quantity", -1)),
                    () -> "an invalid line");
            assertEquals("invalid", invalid.code());
            assertEquals(List.of("quantity", "sku"), invalid.details().keySet().stream().sorted().toList());
            assertEquals("discontinued", Await.error(buyer.client().request("quote", Map.of("sku", "GONE", "quantity", 1)),
                    () -> "a refused line").code());
            SwitchboardException failed = Await.error(buyer.client().request("quote", Map.of("sku", "BOOM", "quantity", 1)),
                    () -> "a failing handler");
            assertEquals("internal", failed.code());
            assertTrue(failed.getMessage().contains("incident"), failed.getMessage());

            long start = System.nanoTime();
            assertEquals("timeout", Await.error(buyer.client().request("quote", Map.of("sku", "SLOW", "quantity", 1)),
                    () -> "a slow handler").code());
            long tookMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(tookMs < 5_000, "answered at the limit (1 s), not when the handler ends (30 s): " + tookMs + " ms");
            assertEquals(250, quote(buyer, "B-2", 1).getInt("totalCents"), "the connection goes on after each");
        }
    }

    /** What the application's room handler was told of leaves (its typed request handler answers it). */
    private static List<String> leaves(TestClient client) {
        return quote(client, "A-1").getJsonArray("leaves").getValuesAs(jakarta.json.JsonString.class).stream()
                .map(jakarta.json.JsonString::getString).toList();
    }

    /**
     * The AsyncAPI document names the application's typed rooms and requests with their records' schemas; it is for
     * operators (a key, or the monitor role): the anonymous, a wrong key, a user without the role and a flood are refused.
     */
    @Test
    void theContractNamesTheApplicationsTypedRoomsAndRefusesStrangers() throws Exception {
        SwitchboardApi api = SwitchboardApi.at(Deployments.base(url).resolve("api/"));
        JsonObject document = SwitchboardApi.expect(200, api.withKey(KEY).get("asyncapi.json"), "the document").json();
        assertEquals("3.0.0", document.getString("asyncapi"));
        assertEquals(Deployments.base(url).getPath() + "ws",
                document.getJsonObject("channels").getJsonObject("socket").getString("address"));
        JsonObject orders = document.getJsonObject("channels").getJsonObject("room.orders");
        assertEquals("orders:{key}", orders.getString("address"));
        JsonObject note = document.getJsonObject("components").getJsonObject("schemas").getJsonObject("room.orders.publish")
                .getJsonObject("properties").getJsonObject("data");
        assertEquals(40, note.getJsonObject("properties").getJsonObject("text").getInt("maxLength"), note.toString());
        assertEquals(99, note.getJsonObject("properties").getJsonObject("quantity").getInt("maximum"), note.toString());
        JsonObject quoteReply = document.getJsonObject("components").getJsonObject("schemas").getJsonObject("reply.quote")
                .getJsonObject("properties").getJsonObject("data");
        assertEquals("integer", quoteReply.getJsonObject("properties").getJsonObject("totalCents").getString("type"),
                "the reply's record, from the handler's declaration: " + quoteReply);

        assertEquals(401, api.get("asyncapi.json").status(), "anonymous");
        assertEquals(401, api.withKey("wrong-key-0123456789").get("asyncapi.json").status(), "a wrong key");
        String chat = AuthIT.token("ann", List.of("chat"), java.time.Instant.now().plusSeconds(300), AuthIT.SECRET);
        assertEquals(403, api.as("Bearer " + chat).get("asyncapi.json").status(), "a user without the monitor role");
        String admin = AuthIT.token("root", List.of("admin"), java.time.Instant.now().plusSeconds(300), AuthIT.SECRET);
        List<Integer> statuses = new java.util.ArrayList<>();
        for (int i = 0; i < 20 && !statuses.contains(429); i++) {
            statuses.add(api.as("Bearer " + admin).get("asyncapi.json").status());
        }
        assertEquals(200, statuses.get(0), "an operator: " + statuses);
        assertTrue(statuses.contains(429), "a flood is limited (5 a second here): " + statuses);
    }

    private static JsonObject quote(TestClient client, String sku) {
        return quote(client, sku, 3);
    }

    private static JsonObject quote(TestClient client, String sku, int quantity) {
        return Await.value(client.client().request("quote", Map.of("sku", sku, "quantity", quantity)),
                () -> "a quote for " + sku).asJsonObject();
    }
}
