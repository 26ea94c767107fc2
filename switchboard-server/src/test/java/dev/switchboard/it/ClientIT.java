package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.client.ClientOptions;
import dev.switchboard.client.Events.Ack;
import dev.switchboard.client.Events.Closed;
import dev.switchboard.client.Events.Direct;
import dev.switchboard.client.Events.Joined;
import dev.switchboard.client.Events.Member;
import dev.switchboard.client.Events.Publication;
import dev.switchboard.client.Room;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardException;
import dev.switchboard.test.TestClient;
import jakarta.json.Json;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Java client (switchboard-client, on Tyrus' standalone client) against every server. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ClientIT {

    /** An application's payload: JSON-B encodes it on the way out and decodes it on the way in. */
    public record Note(int n, String text) {
    }

    private static final long WAIT_SECONDS = 15;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("client-it", Deployments.TEST_RATE + "switchboard.auth.jwt-secret=" + AuthIT.SECRET + "\n");
    }

    @ArquillianResource
    URL url;

    private URI ws() {
        return Deployments.ws(url).resolve("ws");
    }

    private static <T> T await(CompletionStage<T> stage, String what) throws Exception {
        try {
            return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(what + ": no answer within " + WAIT_SECONDS + " s");
        }
    }

    private static <T> T next(BlockingQueue<T> queue, String what) throws InterruptedException {
        T item = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(item, what + " within " + WAIT_SECONDS + " s");
        return item;
    }

    private static String failure(CompletionStage<?> stage) throws Exception {
        try {
            stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError("succeeded, a failure expected");
        } catch (ExecutionException e) {
            return ((SwitchboardException) e.getCause()).code();
        }
    }

    @Test
    void joinsPublishesWithAcksAndAfterACutReconnectsAndRecoversEverythingOnceInOrder() throws Exception {
        String room = "client-" + UUID.randomUUID().toString().substring(0, 8);
        try (TcpProxy link = TcpProxy.before(ws());
             SwitchboardClient client = SwitchboardClient.connect(link.through(ws()),
                     ClientOptions.builder().reconnectDelays(Duration.ofMillis(100), Duration.ofMillis(500)).build());
             SwitchboardClient other = SwitchboardClient.connect(ws())) {
            BlockingQueue<Publication> received = new LinkedBlockingQueue<>();
            BlockingQueue<Joined> joins = new LinkedBlockingQueue<>();
            BlockingQueue<Closed> closes = new LinkedBlockingQueue<>();
            Room chat = client.join(room, received::add);
            chat.onJoined(joins::add);
            client.onClose(closes::add);
            assertNull(await(chat.ready(), "joined").recovered(), "a first join asks for no recovery");

            List<Long> offsets = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                Ack ack = await(client.publish(room, new Note(i, "before")), "ack " + i);
                offsets.add(ack.offset());
            }
            for (int i = 1; i < offsets.size(); i++) {
                assertEquals(offsets.get(i - 1) + 1, offsets.get(i), "consecutive offsets: " + offsets);
            }
            await(other.join(room).ready(), "the other member joined");

            link.cut(); // the client's TCP connection ends and new ones are refused: it cannot get back yet
            Closed closed = next(closes, "the client saw the cut");
            assertTrue(closed.willReconnect(), "a cut is reconnected: " + closed);
            for (int i = 6; i <= 10; i++) {
                await(other.publish(room, new Note(i, "while away")), "the other's ack " + i);
            }
            link.heal();

            Joined rejoined = next(joins, "joined");
            while (rejoined.recovered() == null) { // the first join's event, if the listener was added before it came
                rejoined = next(joins, "rejoined after the cut");
            }
            assertEquals(Boolean.TRUE, rejoined.recovered(), "recovered from the last offset it saw");
            List<Integer> seen = new ArrayList<>();
            while (seen.size() < 10) {
                seen.add(next(received, "publication " + (seen.size() + 1) + " (so far " + seen + ")").data(Note.class).n());
            }
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), seen, "every publication once, in order");
            assertNull(received.poll(300, TimeUnit.MILLISECONDS), "and no duplicate after them");
            assertEquals(SwitchboardClient.State.OPEN, client.state());
        }
    }

    @Test
    void requestsDirectMessagesPresenceAndTypedErrors() throws Exception {
        String room = "client-" + UUID.randomUUID().toString().substring(0, 8);
        try (SwitchboardClient ada = SwitchboardClient.connect(ws()); SwitchboardClient bob = SwitchboardClient.connect(ws())) {
            await(ada.ready(), "ada welcomed"); // requests are not queued while connecting (publishes and sends are)
            await(bob.ready(), "bob welcomed");
            assertEquals(new Note(1, "echo"), await(ada.request("echo", new Note(1, "echo"), Note.class), "echo"));
            assertEquals("unknown_method", failure(ada.request("no-such-method", null)));
            assertEquals("not_joined", failure(ada.publish("not-joined-" + room, "x")));

            BlockingQueue<Direct> directs = new LinkedBlockingQueue<>();
            bob.onDirect(directs::add);
            await(ada.join(room).ready(), "ada joined");
            await(bob.join(room).ready(), "bob joined");
            String bobUser = bob.welcome().user();
            await(ada.send(bobUser, new Note(2, "psst")), "the direct message's ack");
            Direct direct = next(directs, "bob's direct message");
            assertEquals(new Note(2, "psst"), direct.data(Note.class));
            assertEquals(ada.welcome().user(), direct.from());

            List<String> members = await(ada.presence(room), "presence").stream().map(Member::user).sorted().toList();
            assertEquals(List.of(ada.welcome().user(), bobUser).stream().sorted().toList(), members);
        }
    }

    @Test
    void historyPagesForwardAndNewestFirstAndOccupancyFromAnyClient() throws Exception {
        String room = "client-h-" + UUID.randomUUID().toString().substring(0, 8);
        try (SwitchboardClient ada = SwitchboardClient.connect(ws()); SwitchboardClient reader = SwitchboardClient.connect(ws())) {
            await(ada.ready(), "ada welcomed");
            await(reader.ready(), "the reader welcomed");
            await(ada.join(room).ready(), "ada joined");
            for (int i = 1; i <= 5; i++) {
                await(ada.publish(room, new Note(i, "n" + i)), "publish " + i);
            }
            var first = await(reader.history(room, 2, null, null, false), "a first page");
            assertEquals(List.of(1L, 2L), first.publications().stream().map(p -> p.offset()).toList());
            assertEquals(new Note(1, "n1"), first.publications().get(0).data(Note.class));
            assertEquals(ada.welcome().user(), first.publications().get(0).from());
            var next = await(reader.history(room, 2, first.epoch(), 2L, false), "the next page");
            assertEquals(List.of(3L, 4L), next.publications().stream().map(p -> p.offset()).toList());
            assertEquals(Boolean.TRUE, next.recovered());
            var newest = await(reader.history(room, 2, null, null, true), "the newest");
            assertEquals(List.of(5L, 4L), newest.publications().stream().map(p -> p.offset()).toList());
            assertEquals(5, newest.offset());
            var counts = await(reader.occupancy(room), "occupancy");
            assertEquals(1, counts.users(), "ada, counted by a client that never joined");
        }
    }

    @Test
    void aTicketPerAttemptSignsTheClientIn() throws Exception {
        URI tickets = Deployments.base(url).resolve("api/tickets");
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (Deployments.OPERATOR + ":" + Deployments.OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8));
        List<String> issued = new ArrayList<>();
        ClientOptions options = ClientOptions.builder().credentials(() -> Quirks.http()
                .sendAsync(HttpRequest.newBuilder(tickets).header("Authorization", basic)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> {
                    String ticket = Json.createReader(new StringReader(response.body())).readObject().getString("ticket");
                    issued.add(ticket);
                    return "ticket." + ticket;
                })).build();
        try (SwitchboardClient operator = SwitchboardClient.connect(ws(), options)) {
            assertEquals(Deployments.OPERATOR, await(operator.ready(), "welcomed").user(), "the ticket's user");
            assertEquals(1, issued.size(), "one ticket per attempt");
        }
    }

    @Test
    void shortLivedTokensAreRefreshedOverTheSocketWithoutReconnecting() throws Exception {
        String room = "client-" + UUID.randomUUID().toString().substring(0, 8);
        java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(3);
        ClientOptions.Builder options = ClientOptions.builder().credentials(() -> {
            asked.countDown();
            try { // a 3-second token each time: the client must refresh it over the socket before it lapses
                return java.util.concurrent.CompletableFuture.completedFuture("bearer." + AuthIT.token("bob", List.of("ops"),
                        java.time.Instant.now().plusSeconds(3), AuthIT.SECRET));
            } catch (Exception e) {
                return java.util.concurrent.CompletableFuture.failedFuture(e);
            }
        });
        try (TestClient bob = TestClient.connect(ws(), options)) {
            String session = bob.welcome().session();
            assertEquals("bob", bob.user());
            assertNotNull(bob.welcome().expiresInMs(), "the server says when the token lapses");
            bob.join(room);
            assertTrue(asked.await(12, TimeUnit.SECONDS), "two refreshes after the first token, within two lifetimes");
            assertEquals(session, bob.client().welcome().session(), "the same connection: refreshed, not reconnected");
            assertTrue(bob.received().stream().noneMatch(e -> e instanceof Closed), "never closed: " + bob.received());
            bob.publish(room, new Note(1, "still here"));
            assertEquals(new Note(1, "still here"), bob.awaitMessage(room, Note.class));
        }
    }
}
