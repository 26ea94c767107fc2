package dev.switchboard.test;

import dev.switchboard.client.ClientOptions;
import dev.switchboard.client.Events.Ack;
import dev.switchboard.client.Events.Closed;
import dev.switchboard.client.Events.Direct;
import dev.switchboard.client.Events.Joined;
import dev.switchboard.client.Events.Publication;
import dev.switchboard.client.Events.Welcome;
import dev.switchboard.client.Room;
import dev.switchboard.client.SwitchboardClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link SwitchboardClient} for tests: connected as a given user, it records everything the server sends it, and
 * its {@code await…} methods wait (bounded: {@link Await#DEFAULT}) for what the test expects — failing with what
 * arrived instead. Close it (try-with-resources).
 * <pre>{@code
 * try (TestClient ada = TestClient.connect(ws, ClientOptions.builder().header("Authorization", basic("ada", "…")))) {
 *     ada.join("desk:tickets");
 *     assertEquals("opened", ada.awaitMessage("desk:tickets").data().asJsonObject().getString("event"));
 * }
 * }</pre>
 */
public final class TestClient implements AutoCloseable {

    private final SwitchboardClient client;
    private final Map<String, BlockingQueue<Publication>> rooms = new ConcurrentHashMap<>();
    private final BlockingQueue<Direct> directs = new LinkedBlockingQueue<>();
    private final List<Object> everything = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Closed> closes = new LinkedBlockingQueue<>();
    private final BlockingQueue<Removed> removals = new LinkedBlockingQueue<>();

    /** An administrator (or the application) removed this connection from {@code room}; it is not rejoined. */
    public record Removed(String room) {
    }

    private TestClient(SwitchboardClient client) {
        this.client = client;
        client.onDirect(d -> {
            everything.add(d);
            directs.add(d);
        });
        client.onError(everything::add);
        client.onClose(c -> {
            everything.add(c);
            closes.add(c);
        });
    }

    /** A guest (or the caller {@code options} authenticate: a header, a credentials supplier), welcomed. */
    public static TestClient connect(URI endpoint, ClientOptions.Builder options) {
        TestClient test = new TestClient(SwitchboardClient.connect(endpoint, options.build()));
        test.welcome();
        return test;
    }

    /**
     * Connecting, not awaited: for a connection the test expects the server to close or refuse ({@link #awaitClose()}).
     */
    public static TestClient connecting(URI endpoint, ClientOptions.Builder options) {
        return new TestClient(SwitchboardClient.connect(endpoint, options.build()));
    }

    public static TestClient connect(URI endpoint) {
        return connect(endpoint, ClientOptions.builder());
    }

    /** Signed in with a ticket the API issues to {@code api}'s caller (a fresh one per connection attempt). */
    public static TestClient withTicket(URI endpoint, SwitchboardApi api) {
        return connect(endpoint, ClientOptions.builder().credentials(
                () -> java.util.concurrent.CompletableFuture.supplyAsync(api::ticket)));
    }

    /** The underlying client, for everything the kit does not wrap. */
    public SwitchboardClient client() {
        return client;
    }

    /** The server's welcome (the user it authenticated, the session). */
    public Welcome welcome() {
        return Await.value(client.ready(), () -> "the welcome (closes so far: " + closes + ")");
    }

    public String user() {
        return welcome().user();
    }

    /** Joins {@code room}, asserting the server's {@code joined}. */
    public Joined join(String room) {
        BlockingQueue<Publication> received = rooms.computeIfAbsent(room, r -> new LinkedBlockingQueue<>());
        Room joining = client.join(room, p -> {
            everything.add(p);
            received.add(p);
        });
        joining.onRemoved(name -> {
            Removed removed = new Removed(name);
            everything.add(removed);
            removals.add(removed);
        });
        return Await.value(joining.ready(), () -> "joined " + room);
    }

    /** Joins {@code room}, asserting the server refuses; answers the error code (e.g. {@code forbidden}). */
    public String joinRefused(String room) {
        try {
            return Await.errorCode(client.join(room).ready(), () -> "a refused join of " + room);
        } finally {
            client.leave(room);
        }
    }

    /** Publishes {@code data} (JSON-B) to a joined room, asserting the ack. */
    public Ack publish(String room, Object data) {
        return Await.value(client.publish(room, data), () -> "the ack of a publish to " + room);
    }

    /** The next publication in {@code room}. */
    public Publication awaitMessage(String room) {
        return awaitMessages(room, 1).get(0);
    }

    /** The next publication in {@code room}, decoded into {@code type}. */
    public <T> T awaitMessage(String room, Class<T> type) {
        return awaitMessage(room).data(type);
    }

    /** The next {@code count} publications in {@code room}, in offset order. */
    public List<Publication> awaitMessages(String room, int count) {
        BlockingQueue<Publication> received = rooms.get(room);
        if (received == null) {
            throw new AssertionError("not joined to " + room + ": join(room) first");
        }
        List<Publication> got = new ArrayList<>();
        long deadline = System.nanoTime() + Await.DEFAULT.toNanos();
        while (got.size() < count) {
            Publication next = poll(received, deadline - System.nanoTime());
            if (next == null) {
                throw new AssertionError("expected " + count + " message(s) in " + room + " within " + Await.DEFAULT.toMillis()
                        + " ms; got " + got.size() + ": " + got + "; everything received: " + everything);
            }
            got.add(next);
        }
        return got;
    }

    /** Asserts that nothing arrives in {@code room} for {@code quiet}: e.g. no duplicate after the expected ones. */
    public void assertNoMessage(String room, Duration quiet) {
        Publication next = poll(rooms.getOrDefault(room, new LinkedBlockingQueue<>()), quiet.toNanos());
        if (next != null) {
            throw new AssertionError("expected nothing more in " + room + ", got " + next);
        }
    }

    /** The next direct message to this user. */
    public Direct awaitDirect() {
        return next(directs, "a direct message");
    }

    /** The next removal from a joined room (the server's {@code left} without {@code re}). */
    public Removed awaitRemoved() {
        return next(removals, "a removal from a room");
    }

    /** The next close of the connection (the client may reconnect after it: see {@link Closed#willReconnect()}). */
    public Closed awaitClose() {
        return next(closes, "the connection to close");
    }

    /** The next item of {@code queue} within the default bound, or a failure saying what was expected and what came. */
    private <T> T next(BlockingQueue<T> queue, String what) {
        T next = poll(queue, Await.DEFAULT.toNanos());
        if (next == null) {
            throw new AssertionError("expected " + what + " within " + Await.DEFAULT.toMillis() + " ms; everything received: "
                    + everything);
        }
        return next;
    }

    /** Everything received so far, in order: publications, direct messages, removals, errors, closes. */
    public List<Object> received() {
        return List.copyOf(everything);
    }

    @Override
    public void close() {
        client.close();
    }

    private static <T> T poll(BlockingQueue<T> queue, long nanos) {
        try {
            return queue.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
