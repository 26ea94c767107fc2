package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardException;
import dev.switchboard.test.Await;
import dev.switchboard.test.TestClient;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The CDI side: lifecycle and publishing events reach application observers; the Switchboard API pushes. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class EventsIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("events-it").addClasses(EventProbe.class, ProbeApplication.class);
    }

    @ArquillianResource
    URL url;

    private final HttpClient http = Quirks.http();

    private String post(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(Deployments.base(url).resolve(path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private JsonArray events() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(Deployments.base(url).resolve("probe-api/probe/events")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Json.createReader(new StringReader(r.body())).readArray();
    }

    private List<String> eventsOf(String user) throws Exception {
        return events().stream().map(v -> v.asJsonObject())
                .filter(o -> user.equals(o.getString("user", null)))
                .map(o -> o.getString("event")).collect(Collectors.toList());
    }

    /** The server's requests to a client (the Java client's handler answers, fails, or never answers). */
    @Test
    void theServerAsksAClientAndGetsItsReplyItsErrorOrATimeout() throws Exception {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.BlockingQueue<String> questions = new java.util.concurrent.LinkedBlockingQueue<>();
        try (SwitchboardClient c = SwitchboardClient.connect(Deployments.ws(url).resolve("ws"))) {
            c.handle("confirm", data -> {
                questions.add(((jakarta.json.JsonString) data).getString());
                return switch (asked.incrementAndGet()) {
                    case 1 -> "yes";
                    case 2 -> throw new SwitchboardException("declined", "not now");
                    default -> new java.util.concurrent.CompletableFuture<String>(); // never answered
                };
            });
            String connection = Await.value(c.ready(), () -> "welcomed").session();
            assertEquals("{\"answer\":\"yes\"}", post("probe-api/probe/ask/" + connection));
            assertEquals("proceed?", questions.poll(10, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals("{\"error\":\"declined\"}", post("probe-api/probe/ask/" + connection));
            assertEquals("{\"error\":\"timeout\"}", post("probe-api/probe/ask/" + connection), "the server's 2 s timeout");
            assertEquals(3, asked.get());
        }
        assertEquals("{\"error\":\"unknown_connection\"}", post("probe-api/probe/ask/no-such-connection"));
    }

    @Test
    void lifecycleAndPublishingReachApplicationObserversAndTheApiPushes() throws Exception {
        String user;
        try (TestClient first = TestClient.connect(Deployments.ws(url).resolve("ws"))) {
            assertTrue(first.user().startsWith("guest-")); // this deployment has seen a connection: its quirks are known
        }
        try (TestClient c = TestClient.connect(Deployments.ws(url).resolve("ws"))) {
            assertEquals("x", Await.value(c.client().request("echo", "x", String.class), () -> "echo"));
            c.join("observed");
            user = c.user();
            assertEquals(List.of(user), Await.value(c.client().presence("observed"), () -> "presence").stream()
                    .map(dev.switchboard.client.Events.Member::user).toList());

            JsonObject pushed = Json.createReader(new StringReader(post("probe-api/probe/push/" + user))).readObject();
            assertEquals(1, pushed.getInt("reached"));
            dev.switchboard.client.Events.Direct direct = c.awaitDirect();
            assertEquals("pushed by the application", direct.data(String.class));
            assertNull(direct.from(), "pushes from the application have no sender");

            JsonObject published = Json.createReader(new StringReader(post("probe-api/probe/publish/observed"))).readObject();
            assertTrue(published.getJsonArray("rooms").getValuesAs(jakarta.json.JsonString::getString).contains("observed"));
            dev.switchboard.client.Events.Publication message = c.awaitMessage("observed");
            assertEquals("app", message.data().asJsonObject().getString("from"));
            assertEquals(published.getJsonNumber("offset").longValue(), message.offset());
            Await.value(c.client().leave("observed"), () -> "left");
        }
        // the close is observed asynchronously to the client's close: bounded wait on the server's record of it
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> seen = eventsOf(user);
        while (!seen.contains("ConnectionClosed") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            seen = eventsOf(user);
        }
        assertEquals(List.of("ConnectionOpened", "RoomJoined", "RoomLeft", "ConnectionClosed"), seen);
        // the application's observer of the open ran with its own context class loader (Payara and GlassFish: the
        // authentication mechanism lends the platform's to the container's session setup, see Endpoints.upgraded)
        assertTrue(events().stream().map(v -> v.asJsonObject()).filter(o -> user.equals(o.getString("user", null))
                        && "ConnectionOpened".equals(o.getString("event"))).allMatch(o -> o.getBoolean("applicationLoader")),
                "the open's observer saw a context loader that cannot load the application's classes: " + events());
        assertTrue(events().stream().map(v -> v.asJsonObject())
                .anyMatch(o -> "MessagePublished".equals(o.getString("event")) && "observed".equals(o.getString("room", null))));
    }
}
