package com.example.helpdesk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.client.ClientOptions;
import dev.switchboard.test.Credentials;
import dev.switchboard.test.SwitchboardApi;
import dev.switchboard.test.TestClient;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.File;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The help desk as its users meet it, tested with Switchboard's test kit (switchboard-test: {@link TestClient},
 * {@link SwitchboardApi}); raw handshakes ({@link Screen}) only for the strangers it must refuse. The WAR this module built (the application's classes and the switchboard JAR,
 * nothing copied), deployed as is. Its own mechanism authenticates the handshake and the API calls; its own beans
 * publish and observe; Switchboard's HTTP API stays where the application's web.xml put it
 * ({@code /desk/api}), its endpoints where {@code switchboard.path} put them, and both refuse strangers.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HelpdeskIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @ArquillianResource
    URL url;

    @Deployment(testable = false)
    static WebArchive helpdesk() {
        File war = new File(System.getProperty("helpdesk.war", "target/helpdesk.war"));
        assertTrue(war.isFile(), war + " does not exist: run the ITs through mvn verify (package comes first)");
        return ShrinkWrap.createFromZipFile(WebArchive.class, war);
    }

    @Test
    void anAgentSeesACustomersTicketAsItIsOpenedAndTheCustomerItsAnswer() throws Exception {
        try (TestClient agent = TestClient.connect(ws(), signedIn("ada", "ada-secret"));
             TestClient customer = TestClient.connect(ws(), signedIn("carol", "carol-secret"))) {
            assertEquals("ada", agent.user(), "the user the application authenticated");
            assertEquals("carol", customer.user());
            agent.join("desk:tickets");

            HttpResponse<String> opened = post("app/tickets", basic("carol", "carol-secret"), "{\"subject\":\"Printer on fire\"}");
            assertEquals(201, opened.statusCode(), opened.body());
            long id = json(opened.body()).getJsonNumber("id").longValue();

            JsonObject data = agent.awaitMessage("desk:tickets").data().asJsonObject();
            assertEquals("opened", data.getString("event"));
            assertEquals(id, data.getJsonNumber("id").longValue());
            assertEquals("Printer on fire", data.getString("subject"));
            assertEquals("carol", data.getString("customer"));

            HttpResponse<String> answered = post("app/tickets/" + id + "/answer", basic("ada", "ada-secret"), "");
            assertEquals(200, answered.statusCode(), answered.body());
            JsonObject direct = customer.awaitDirect().data().asJsonObject();
            assertEquals("answered", direct.getString("event"));
            assertEquals(id, direct.getJsonNumber("id").longValue());
            assertEquals("answered", agent.awaitMessage("desk:tickets").data().asJsonObject().getString("event"));

            HttpResponse<String> watchers = get("app/tickets/watchers", basic("bob", "bob-secret"));
            assertEquals(200, watchers.statusCode(), watchers.body());
            JsonArray users = Json.createReader(new StringReader(watchers.body())).readArray();
            assertEquals("[\"ada\"]", users.toString(), "the application's observer saw the agent join");
        }
    }

    /**
     * The ticket is published inside the application's JPA transaction: a committed one reaches the agents once, a
     * rolled-back one (a duplicate, refused after the insert and the publish) never — with the durable outbox on (its
     * rows written in the same transaction, swept after 500 ms).
     */
    @Test
    void aTicketPublishedInARolledBackTransactionNeverReachesTheAgents() throws Exception {
        String subject = "Coffee machine " + java.util.UUID.randomUUID().toString().substring(0, 6);
        try (TestClient agent = TestClient.connect(ws(), signedIn("ada", "ada-secret"))) {
            agent.join("desk:tickets");
            HttpResponse<String> first = post("app/tickets", basic("dan", "dan-secret"), "{\"subject\":\"" + subject + "\"}");
            assertEquals(201, first.statusCode(), first.body());
            HttpResponse<String> duplicate = post("app/tickets", basic("dan", "dan-secret"), "{\"subject\":\"" + subject + "\"}");
            assertEquals(409, duplicate.statusCode(), duplicate.body());
            HttpResponse<String> next = post("app/tickets", basic("dan", "dan-secret"), "{\"subject\":\"" + subject + " again\"}");
            assertEquals(201, next.statusCode(), next.body());

            java.util.List<String> heard = agent.awaitMessages("desk:tickets", 2).stream()
                    .map(p -> p.data().asJsonObject().getString("subject")).toList();
            assertEquals(java.util.List.of(subject, subject + " again"), heard,
                    "the committed ones, once each, in order; the rolled-back one not at all");
            // past the outbox's grace and a sweep (500 + 200 ms): the swept rows of the committed ones publish nothing
            // again (their keys), and the rolled-back one left no row to sweep
            agent.assertNoMessage("desk:tickets", Duration.ofMillis(1500));
            long stored = Json.createReader(new StringReader(get("app/tickets", basic("ada", "ada-secret")).body())).readArray()
                    .getValuesAs(JsonObject.class).stream().filter(t -> t.getString("subject").startsWith(subject)).count();
            assertEquals(2, stored, "the duplicate was rolled back");
        }
    }

    /**
     * A ticket's conversation: the application's room handler lets in the ticket's customer and the agents (a database
     * lookup), validates each note (Bean Validation on its record), publishes it with its author, and tells the room
     * when someone leaves.
     */
    @Test
    void aTicketsRoomIsTheCustomersAndTheAgentsWithValidatedNotes() throws Exception {
        HttpResponse<String> opened = post("app/tickets", basic("carol", "carol-secret"),
                "{\"subject\":\"Kettle " + java.util.UUID.randomUUID().toString().substring(0, 6) + "\"}");
        assertEquals(201, opened.statusCode(), opened.body());
        String room = "ticket:" + json(opened.body()).getJsonNumber("id").longValue();
        try (TestClient carol = TestClient.connect(ws(), signedIn("carol", "carol-secret"));
             TestClient ada = TestClient.connect(ws(), signedIn("ada", "ada-secret"));
             TestClient dan = TestClient.connect(ws(), signedIn("dan", "dan-secret"))) {
            assertEquals("not_your_ticket", dan.joinRefused(room), "another customer");
            assertEquals("no_such_ticket", dan.joinRefused("ticket:999999"));
            carol.join(room);
            ada.join(room);

            dev.switchboard.client.SwitchboardException invalid = dev.switchboard.test.Await.error(
                    carol.client().publish(room, Map.of("text", " ")), () -> "an empty note");
            assertEquals("invalid", invalid.code());
            assertEquals("must not be blank", invalid.details().getString("text"), invalid.details().toString());

            carol.publish(room, Map.of("text", "It is still whistling"));
            JsonObject said = ada.awaitMessage(room).data().asJsonObject();
            assertEquals("It is still whistling", said.getString("text"));
            assertEquals("carol", said.getString("by"), "published with its author, as the handler made it");

            // the agent's note answers the ticket in a JTA transaction on the handler's thread: the agents' room
            // hears of it after the commit (through the outbox), the customer's screens at once (a direct message)
            ada.join("desk:tickets");
            ada.publish(room, Map.of("text", "Descale it"));
            JsonObject toAgents = ada.awaitMessage("desk:tickets").data().asJsonObject();
            assertEquals(Map.of("event", "answered", "id", room.substring("ticket:".length())),
                    Map.of("event", toAgents.getString("event"), "id", toAgents.get("id").toString()), toAgents.toString());
            assertEquals("Descale it", carol.awaitMessages(room, 2).get(1).data().asJsonObject().getString("text"),
                    "after her own note");
            JsonObject answered = carol.awaitDirect().data().asJsonObject();
            assertEquals("answered", answered.getString("event"), answered.toString());
            assertEquals("ANSWERED", answered.getString("status"), answered.toString());

            dev.switchboard.test.Await.value(ada.client().leave(room), () -> "ada leaves");
            JsonObject left = carol.awaitMessage(room).data().asJsonObject();
            assertEquals(Map.of("event", "left", "user", "ada"),
                    Map.of("event", left.getString("event"), "user", left.getString("user")), left.toString());
        }
    }

    @Test
    void aCustomerMayNotJoinTheAgentsRoom() {
        try (TestClient customer = TestClient.connect(ws(), signedIn("dan", "dan-secret"))) {
            assertEquals("forbidden", customer.joinRefused("desk:tickets"), "agents only: switchboard.room-class.desk.roles");
        }
    }

    @Test
    void strangersAreRefusedAtTheHandshake() throws Exception {
        assertEquals(401, handshakeStatus(ws(), null), "no credentials: switchboard.auth.anonymous=false");
        assertEquals(401, handshakeStatus(ws(), basic("ada", "wrong")), "a wrong password: the application's mechanism");
        assertEquals(401, handshakeStatus(ws(), null, "ticket.forged-ticket-0123456789"), "a forged ticket");
        // the endpoints are where switchboard.path put them, and nowhere else
        assertEquals(404, handshakeStatus(URI.create(ws().toString().replace("/desk/live", "/ws")), basic("ada", "ada-secret")));
    }

    /** A browser cannot set Authorization on a WebSocket: it asks the API for a ticket, signed in by the application. */
    @Test
    void aTicketFromTheApiOpensTheSocketAsTheUserWithTheirRoles() throws Exception {
        String ticket = SwitchboardApi.at(base().resolve("desk/api/")).as(basic("bob", "bob-secret")).ticket();
        try (TestClient agent = TestClient.connect(ws(), ClientOptions.builder()
                .credentials(() -> CompletableFuture.completedFuture(ticket)))) {
            assertEquals("bob", agent.user(), "the ticket's user, not a guest");
            agent.join("desk:tickets"); // with the agent role the application gave
        }
        assertEquals(401, handshakeStatus(ws(), null, ticket), "a ticket is used once");
    }

    @Test
    void switchboardsApiStaysWhereTheApplicationPutItAndRefusesStrangers() throws Exception {
        // the help desk's Application lists nothing, so the container hands it Switchboard's resources too: 404 there
        assertEquals(404, get("app/rooms", basic("ada", "ada-secret")).statusCode());
        assertEquals(404, get("app/stats", basic("ada", "ada-secret")).statusCode());
        // not at /api: the help desk moved the API (its web.xml)
        assertEquals(404, get("api/rooms/desk:tickets/presence", basic("ada", "ada-secret")).statusCode());
        // under /desk/api: the caller is who the application authenticated, with the roles it holds
        HttpResponse<String> presence = get("desk/api/rooms/presence?room=desk:tickets", basic("ada", "ada-secret"));
        assertEquals(200, presence.statusCode(), "an agent sees who is in the agents' room: " + presence.body());
        assertEquals(401, get("desk/api/rooms/desk:tickets/presence", null).statusCode(), "anonymous");
        assertEquals(401, get("desk/api/rooms/desk:tickets/presence", basic("ada", "wrong")).statusCode(), "a wrong password");
        assertEquals(403, get("desk/api/admin/rooms", basic("ada", "ada-secret")).statusCode(), "an agent is not an admin");
        assertEquals(403, get("desk/api/stats", basic("carol", "carol-secret")).statusCode(), "a customer is not an operator");
        // the application's own API refuses the wrong role too
        assertEquals(403, get("app/tickets", basic("carol", "carol-secret")).statusCode());
        assertEquals(401, get("app/tickets", null).statusCode());
    }

    // ------------------------------------------------------------------ helpers

    private URI base() {
        // Container quirk (Payara Micro): the reported URL names the machine's address; the listener is on loopback
        String path = url.getPath().endsWith("/") ? url.getPath() : url.getPath() + "/";
        return URI.create("http://127.0.0.1:" + url.getPort() + path);
    }

    private URI ws() {
        // the help desk moves Switchboard's endpoints (switchboard.path in its microprofile-config.properties)
        return URI.create("ws://127.0.0.1:" + url.getPort() + base().getPath() + "desk/live");
    }

    private static String basic(String user, String password) {
        return Credentials.basic(user, password);
    }

    /** A client signed in by the help desk's own mechanism: Basic on the handshake. */
    private static ClientOptions.Builder signedIn(String user, String password) {
        return ClientOptions.builder().header("Authorization", basic(user, password));
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base().resolve(path)).timeout(Duration.ofSeconds(10)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base().resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The HTTP status a refused handshake got (a handshake that succeeds fails the test). */
    private int handshakeStatus(URI uri, String authorization, String... credentials) throws Exception {
        try (Screen unexpected = Screen.open(uri, authorization, credentials)) {
            throw new AssertionError("the handshake was accepted: " + unexpected.expect("welcome"));
        } catch (CompletionException | java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw e;
        }
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

}
