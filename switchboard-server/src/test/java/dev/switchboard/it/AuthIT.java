package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Authentication at the handshake (Jakarta Security) and authorization per room, black-box on both servers.
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

    /** Connects offering switchboard.v1 and {@code credential} (bearer.… or ticket.…), consuming the welcome. */
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
    void guestsMayUseDemoRoomsOnly() throws Exception {
        try (WsClient guest = WsClient.connect(Deployments.ws(url))) {
            assertTrue(guest.user.startsWith("guest-"));
            guest.send(msg("join", "1", "room", "lobby")).expect("joined");
            guest.send(msg("join", "2", "room", "demo:chat")).expect("joined");
            JsonObject refused = guest.send(msg("join", "3", "room", "staff:ops")).expect("error");
            assertEquals("forbidden", refused.getString("code"));
            assertEquals("forbidden", guest.send(msg("join", "4", "room", "team:x")).expect("error").getString("code"));
            assertEquals("forbidden", guest.send(msg("send", "5", "to", "alice", "data", "hi")).expect("error").getString("code"));
            assertEquals("ok", guest.send(msg("ping", "ok")).expect("pong").getString("re"), "the connection goes on");
        }
    }

    @Test
    void aSignedTokenInTheSubprotocolNamesTheUserAndItsRolesDecideTheRooms() throws Exception {
        String bob = token("bob", List.of("ops"), Instant.now().plusSeconds(300), SECRET);
        String alice = token("alice", List.of("chat"), Instant.now().plusSeconds(300), SECRET);
        try (WsClient b = connectWith("bearer." + bob); WsClient a = connectWith("bearer." + alice)) {
            assertEquals("bob", b.user);
            assertEquals("alice", a.user);
            b.send(msg("join", "1", "room", "staff:ops")).expect("joined");
            assertEquals("forbidden", a.send(msg("join", "1", "room", "staff:ops")).expect("error").getString("code"));
            a.send(msg("join", "2", "room", "team:x")).expect("joined"); // no roles required: any signed-in user
            assertEquals("ack", a.send(msg("send", "3", "to", "bob", "data", "psst")).expect("ack").getString("type"));
            JsonObject direct = b.expect("direct");
            assertEquals("alice", direct.getString("from"));
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
        try (WsClient alice = connectWith("ticket." + ticket)) {
            assertEquals("alice", alice.user);
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
        try (WsClient first = connectWith("bearer." + token); WsClient second = connectWith("bearer." + token);
             WsClient monitor = WsClient.raw(Deployments.ws(url).resolve("ws/monitor"), "switchboard.v1", "bearer." + operator)) {
            first.send(msg("join", "1", "room", "team:y")).expect("joined");
            second.send(msg("join", "2", "room", "team:y")).expect("joined");
            second.send(msg("publish", "3", "room", "team:y", "data", "secret-body-" + SECRET.hashCode())).expect("message");
            second.expect("ack");
            HttpResponse<String> out = http.send(HttpRequest.newBuilder(Deployments.base(url).resolve("api/logout"))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, out.statusCode(), out.body());
            assertEquals(2, Json.createReader(new StringReader(out.body())).readObject().getInt("closedConnections"));
            assertEquals(1008, first.awaitClose().code());
            assertEquals(1008, second.awaitClose().code());
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
        try (WsClient d = connectWith("bearer." + dave)) {
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
        try (WsClient a = connectWith("bearer." + erin); WsClient b = connectWith("bearer." + erin);
             WsClient c = connectWith("bearer." + erin);
             WsClient d = WsClient.raw(Deployments.ws(url).resolve("ws"), "switchboard.v1", "bearer." + erin)) {
            assertEquals(1013, d.awaitClose().code(), "a fourth connection for the same user");
            assertEquals("ok", a.send(msg("ping", "ok")).expect("pong").getString("re"), "the others go on");
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
