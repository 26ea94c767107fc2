package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import dev.switchboard.client.ClientOptions;
import dev.switchboard.client.Events.Closed;
import dev.switchboard.client.Events.Direct;
import dev.switchboard.test.Await;
import dev.switchboard.test.TestClient;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Authentication at the handshake (Jakarta Security) and authorization per room, black-box on every server: users
 * as the Java client (the kit's {@link TestClient}); raw sockets only for what a hostile peer does (forged refreshes,
 * refused handshakes, whose HTTP status the client does not see).
 * This WAR: users alice (role chat) and bob (role ops), a JWT key, room class {@code staff} for role ops, guests
 * limited to demo rooms (the default).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AuthIT {

    static final String SECRET = "test-secret-for-switchboard-auth-it-0123456789";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("auth-it", "switchboard.rate.per-second=100000\nswitchboard.rate.burst=100000\n"
                + "switchboard.auth.users=alice:wonderland:chat,bob:builder:ops\n"
                + "switchboard.auth.jwt-secret=" + SECRET + "\n"
                + "switchboard.room-class.staff.roles=ops\n"
                + "switchboard.max-connections-per-user=3\n");
    }

    @ArquillianResource
    URL url;

    private final HttpClient http = Quirks.http();

    static String token(String subject, List<String> groups, Instant expires, String secret) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(subject)
                .claim("groups", groups).expirationTime(Date.from(expires)).build());
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    /** The Java client signed in with {@code token}, welcomed. */
    private TestClient signedIn(String token) {
        return TestClient.connect(endpoint(), bearer(token));
    }

    private static ClientOptions.Builder bearer(String token) {
        return ClientOptions.builder().credentials(() -> CompletableFuture.completedFuture("bearer." + token));
    }

    private URI endpoint() {
        return Deployments.ws(url).resolve("ws");
    }

    /** A raw socket offering switchboard.v1 and {@code credential}: for the refresh a hostile peer forges. */
    private WsClient connectWith(String credential) throws Exception {
        WsClient c = WsClient.raw(Deployments.ws(url).resolve("ws"), "switchboard.v1", credential);
        assertEquals("switchboard.v1", c.socket.getSubprotocol());
        c.user = c.expect("welcome").getString("user");
        return c;
    }

    private int refusedWith(String credential) throws Exception {
        try {
            Quirks.http().newWebSocketBuilder().subprotocols("switchboard.v1", credential)
                    .buildAsync(Deployments.ws(url).resolve("ws"), new WebSocket.Listener() { })
                    .get(10, TimeUnit.SECONDS).abort();
            return 101;
        } catch (ExecutionException e) {
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    @Test
    void guestsMayUseDemoRoomsOnly() {
        try (TestClient guest = TestClient.connect(endpoint())) {
            assertTrue(guest.user().startsWith("guest-"), guest.user());
            guest.join("lobby");
            guest.join("demo:chat");
            assertEquals("forbidden", guest.joinRefused("staff:ops"));
            assertEquals("forbidden", guest.joinRefused("team:x"));
            assertEquals("forbidden", Await.errorCode(guest.client().send("alice", "hi"), () -> "a guest's direct message"));
            assertEquals(1, guest.publish("lobby", "still here").offset(), "the connection goes on");
        }
    }

    @Test
    void aSignedTokenInTheSubprotocolNamesTheUserAndItsRolesDecideTheRooms() throws Exception {
        String bob = token("bob", List.of("ops"), Instant.now().plusSeconds(300), SECRET);
        String alice = token("alice", List.of("chat"), Instant.now().plusSeconds(300), SECRET);
        try (TestClient b = signedIn(bob); TestClient a = signedIn(alice)) {
            assertEquals("bob", b.user());
            assertEquals("alice", a.user());
            b.join("staff:ops");
            assertEquals("forbidden", a.joinRefused("staff:ops"));
            a.join("team:x"); // no roles required: any signed-in user
            Await.value(a.client().send("bob", "psst"), () -> "alice's direct message acknowledged");
            Direct direct = b.awaitDirect();
            assertEquals("alice", direct.from());
            assertEquals("psst", direct.data(String.class));
        }
    }

    @Test
    void wrongOrExpiredCredentialsGet401BeforeTheUpgrade() throws Exception {
        assertEquals(401, refusedWith("bearer." + token("mallory", List.of("ops"), Instant.now().plusSeconds(300),
                "another-secret-of-at-least-32-bytes-000000")));
        assertEquals(401, refusedWith("bearer." + token("bob", List.of("ops"), Instant.now().minusSeconds(5), SECRET)));
        assertEquals(401, refusedWith("bearer.not-a-token"));
        assertEquals(401, refusedWith("ticket.never-issued"));
    }

    @Test
    void aTicketFromTheSignedInApiOpensOneConnection() throws Exception {
        URI tickets = Deployments.base(url).resolve("api/tickets");
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(tickets).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(tickets).POST(HttpRequest.BodyPublishers.noBody())
                .header("Authorization", basic("alice", "guess")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrong.statusCode());
        HttpResponse<String> issued = http.send(HttpRequest.newBuilder(tickets).POST(HttpRequest.BodyPublishers.noBody())
                .header("Authorization", basic("alice", "wonderland")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, issued.statusCode(), issued.body());
        String ticket = Json.createReader(new StringReader(issued.body())).readObject().getString("ticket");
        try (TestClient alice = TestClient.connect(endpoint(), ClientOptions.builder()
                .credentials(() -> CompletableFuture.completedFuture("ticket." + ticket)))) {
            assertEquals("alice", alice.user());
        }
        assertEquals(401, refusedWith("ticket." + ticket), "a ticket opens one connection");
    }

    /**
     * Two connections with the same 3-second token: one refreshes it over the socket ({@code refresh} → {@code
     * refreshed}), the other does not and is closed with 4001 (reconnectable) soon after the expiry; the refreshed one
     * still answers after that close, so it outlived the old expiry. A forged or another user's token is refused
     * with {@code bad_credentials} and changes nothing.
     */
    @Test
    void credentialsRefreshedOverTheSocketOutliveTheOldOnesAndUnrefreshedOnesClose4001() throws Exception {
        Instant expiry = Instant.now().plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.SECONDS); // as in the token
        String shortLived = token("bob", List.of("ops"), expiry, SECRET);
        try (WsClient refreshing = connectWith("bearer." + shortLived); WsClient lapsing = connectWith("bearer." + shortLived)) {
            refreshing.send(msg("join", "1", "room", "staff:ops")).expect("joined");
            JsonObject forged = refreshing.send(msg("refresh", "2", "credential", "bearer." + token("bob", List.of("ops"),
                    Instant.now().plusSeconds(300), "another-secret-of-at-least-32-bytes-000000"))).expect("error");
            assertEquals("bad_credentials", forged.getString("code"));
            JsonObject other = refreshing.send(msg("refresh", "3", "credential", "bearer." + token("alice", List.of("chat"),
                    Instant.now().plusSeconds(300), SECRET))).expect("error");
            assertEquals("bad_credentials", other.getString("code"), "another user's token does not take over");
            Instant later = Instant.now().plusSeconds(300);
            JsonObject refreshed = refreshing.send(msg("refresh", "4", "credential", "bearer." + token("bob", List.of("ops"),
                    later, SECRET))).expect("refreshed");
            assertEquals("4", refreshed.getString("re"));
            assertEquals(later.getEpochSecond(), refreshed.getJsonNumber("expiresAt").longValue() / 1000);

            long start = System.nanoTime();
            WsClient.Close close = lapsing.awaitClose();
            assertEquals(4001, close.code(), close.toString());
            assertTrue(Instant.now().isAfter(expiry), "closed after, not before, the expiry");
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 6_000, "closed soon after expiry");
            assertEquals("alive", refreshing.send(msg("ping", "alive")).expect("pong").getString("re"),
                    "the refreshed connection outlived the old expiry");
            refreshing.send(msg("publish", "5", "room", "staff:ops", "data", "still here")).expect("message");
        }
    }

    @Test
    void logoutClosesTheUsersSocketsWith1008AndItsTokensStopWorking() throws Exception {
        String token = token("carol", List.of("chat"), Instant.now().plusSeconds(300), SECRET);
        String operator = token("root", List.of("admin"), Instant.now().plusSeconds(300), SECRET);
        try (TestClient first = signedIn(token); TestClient second = signedIn(token);
             WsClient monitor = WsClient.raw(Deployments.ws(url).resolve("ws/monitor"), "switchboard.v1", "bearer." + operator)) {
            first.join("team:y");
            second.join("team:y");
            second.publish("team:y", "secret-body-" + SECRET.hashCode());
            HttpResponse<String> out = http.send(HttpRequest.newBuilder(Deployments.base(url).resolve("api/logout"))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, out.statusCode(), out.body());
            assertEquals(2, Json.createReader(new StringReader(out.body())).readObject().getInt("closedConnections"));
            for (TestClient signedOut : List.of(first, second)) {
                Closed closed = signedOut.awaitClose();
                assertEquals(1008, closed.code(), closed.toString());
                assertFalse(closed.willReconnect(), "the client does not come back after 1008");
            }
            assertEquals(401, refusedWith("bearer." + token), "the token was revoked");

            // nothing secret reached the server log: not the token, not a message body (the monitor sees the log)
            HttpResponse<String> mark = http.send(HttpRequest.newBuilder(Deployments.base(url).resolve("api/monitor/marks"))
                    .header("Authorization", "Bearer " + operator).POST(HttpRequest.BodyPublishers.ofString("end-of-auth-test")).header("Content-Type", "text/plain").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(204, mark.statusCode());
            StringBuilder log = new StringBuilder();
            while (!log.toString().contains("end-of-auth-test")) {
                JsonObject frame = monitor.next();
                if ("log".equals(frame.getString("type"))) {
                    log.append(frame.getString("message")).append('\n');
                }
            }
            assertTrue(!log.toString().contains(token) && !log.toString().contains(token.substring(token.lastIndexOf('.') + 1)),
                    "the token is never logged");
            assertTrue(!log.toString().contains("secret-body-"), "message bodies are never logged");
        }
    }

    @Test
    void anAdministratorRevokesAnotherUsersSessions() throws Exception {
        String dave = token("dave", List.of("chat"), Instant.now().plusSeconds(300), SECRET);
        String admin = token("root", List.of("admin"), Instant.now().plusSeconds(300), SECRET);
        try (TestClient d = signedIn(dave)) {
            HttpResponse<String> denied = http.send(HttpRequest.newBuilder(Deployments.base(url).resolve("api/users/dave/sessions"))
                    .header("Authorization", "Bearer " + dave).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, denied.statusCode());
            HttpResponse<String> revoked = http.send(HttpRequest.newBuilder(Deployments.base(url).resolve("api/users/dave/sessions"))
                    .header("Authorization", "Bearer " + admin).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, revoked.statusCode(), revoked.body());
            assertEquals(1008, d.awaitClose().code());
        }
    }

    @Test
    void connectionsPerUserAreBoundedWith1013() throws Exception {
        String erin = token("erin", List.of("chat"), Instant.now().plusSeconds(300), SECRET);
        try (TestClient a = signedIn(erin); TestClient b = signedIn(erin); TestClient c = signedIn(erin);
             TestClient d = TestClient.connecting(endpoint(), bearer(erin))) {
            assertEquals(1013, d.awaitClose().code(), "a fourth connection for the same user");
            a.join("team:w");
            assertEquals(1, a.publish("team:w", "ok").offset(), "the others go on");
        }
    }

    /** The chat page signs in with a name and password (a fresh ticket per connection) and enters a team room. */
    @Test
    void theChatPageSignsInAndEntersARoomGuestsMayNot() throws Exception {
        try (Browser guest = new Browser(); Browser alice = new Browser()) {
            guest.open(Deployments.base(url).resolve("chat.html").toString());
            guest.find("#name").sendKeys("Visitor");
            guest.find("#room").clear();
            guest.find("#room").sendKeys("team:z");
            guest.find("#enter").click();
            guest.until("the guest is refused", d -> guest.find("#messages").getText().contains("forbidden"));

            alice.open(Deployments.base(url).resolve("chat.html").toString());
            alice.find("#name").sendKeys("alice");
            alice.find("#password").sendKeys("wonderland");
            alice.find("#room").clear();
            alice.find("#room").sendKeys("team:z");
            alice.find("#enter").click();
            alice.until("alice is connected", d -> "open".equals(alice.find("#state").getText()));
            alice.until("alice is in the room", d -> alice.find("#people").getText().contains("alice"));
            assertTrue(alice.find("#messages").getText().contains("Connected as alice"), alice.find("#messages").getText());
            alice.find("#text").sendKeys("signed-in hello");
            alice.find("#send").click();
            alice.until("her message is shown", d -> alice.find("#messages").getText().contains("signed-in hello"));
            alice.screenshot("chat-signed-in");
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
