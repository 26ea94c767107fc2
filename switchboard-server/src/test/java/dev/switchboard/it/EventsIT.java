package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void theServerAsksAClientAndGetsItsReplyItsErrorOrATimeout() throws Exception {
        try (WsClient c = WsClient.raw(Deployments.ws(url).resolve("ws"), "switchboard.v1")) {
            String connection = c.expect("welcome").getString("session");
            var asked = http.sendAsync(HttpRequest.newBuilder(Deployments.base(url).resolve("probe-api/probe/ask/" + connection))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            JsonObject request = c.expect("request");
            assertEquals("confirm", request.getString("method"));
            assertEquals("proceed?", request.getString("data"));
            c.send(Json.createObjectBuilder().add("type", "reply").add("re", request.getString("id")).add("data", "yes").build());
            assertEquals("{\"answer\":\"yes\"}", asked.get(10, java.util.concurrent.TimeUnit.SECONDS).body());

            var refused = http.sendAsync(HttpRequest.newBuilder(Deployments.base(url).resolve("probe-api/probe/ask/" + connection))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            JsonObject second = c.expect("request");
            c.send(Json.createObjectBuilder().add("type", "reply").add("re", second.getString("id")).add("error", "declined").build());
            assertEquals("{\"error\":\"declined\"}", refused.get(10, java.util.concurrent.TimeUnit.SECONDS).body());

            var ignored = http.sendAsync(HttpRequest.newBuilder(Deployments.base(url).resolve("probe-api/probe/ask/" + connection))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            c.expect("request"); // never answered: the server's 2 s timeout
            assertEquals("{\"error\":\"timeout\"}", ignored.get(10, java.util.concurrent.TimeUnit.SECONDS).body());
        }
        assertEquals("{\"error\":\"unknown_connection\"}", post("probe-api/probe/ask/no-such-connection"));
    }

    @Test
    void lifecycleAndPublishingReachApplicationObserversAndTheApiPushes() throws Exception {
        URI ws = Deployments.ws(url);
        String user;
        try (WsClient c = WsClient.connect(ws)) {
            c.send(ProtocolIT.msg("request", "w", "method", "echo", "data", "x")).expect("reply");
            c.send(ProtocolIT.msg("join", "1", "room", "observed")).expect("joined");
            user = c.send(ProtocolIT.msg("presence", "2", "room", "observed")).expect("presence")
                    .getJsonArray("members").getJsonObject(0).getString("user");

            JsonObject pushed = Json.createReader(new StringReader(post("probe-api/probe/push/" + user))).readObject();
            assertEquals(1, pushed.getInt("reached"));
            JsonObject direct = c.expect("direct");
            assertEquals("pushed by the application", direct.getString("data"));
            assertTrue(!direct.containsKey("from"), "pushes from the application have no sender");

            JsonObject published = Json.createReader(new StringReader(post("probe-api/probe/publish/observed"))).readObject();
            assertTrue(published.getJsonArray("rooms").getValuesAs(jakarta.json.JsonString::getString).contains("observed"));
            JsonObject message = c.expect("message");
            assertEquals("app", message.getJsonObject("data").getString("from"));
            assertEquals(published.getJsonNumber("offset").longValue(), message.getJsonNumber("offset").longValue());
            c.send(ProtocolIT.msg("leave", "3", "room", "observed")).expect("left");
        }
        // the close is observed asynchronously to the client's close: bounded wait on the server's record of it
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> seen = eventsOf(user);
        while (!seen.contains("ConnectionClosed") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            seen = eventsOf(user);
        }
        assertEquals(List.of("ConnectionOpened", "RoomJoined", "RoomLeft", "ConnectionClosed"), seen);
        assertTrue(events().stream().map(v -> v.asJsonObject())
                .anyMatch(o -> "MessagePublished".equals(o.getString("event")) && "observed".equals(o.getString("room", null))));
    }
}
