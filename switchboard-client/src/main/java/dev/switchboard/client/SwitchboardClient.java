package dev.switchboard.client;

import dev.switchboard.client.Events.Ack;
import dev.switchboard.client.Events.Closed;
import dev.switchboard.client.Events.Direct;
import dev.switchboard.client.Events.Member;
import dev.switchboard.client.Events.Welcome;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A connection to a Switchboard endpoint that stays connected: it reconnects with jittered backoff (not after the
 * codes in {@link CloseCodes#NO_RECONNECT}), rejoins its rooms recovering what was missed, keeps publishes made
 * while offline, re-sends a publish in flight with its idempotency key so that it lands once, and refreshes expiring
 * credentials — the JavaScript client's semantics (docs/PROTOCOL.md).
 * <p>
 * <b>Threads.</b> Each client has one event thread ({@link Scheduler}); every listener, handler and completion of a
 * returned {@link CompletionStage} runs on it, one at a time, in the order the server sent. Never block on it (no
 * {@code join()} of another answer inside a listener: use {@code then…Async} for blocking work). The socket's reader
 * only hands frames over, so a slow listener delays this client's events, never the socket. Methods may be called
 * from any thread.
 */
public final class SwitchboardClient implements AutoCloseable {

    /** The client's states, in the JavaScript client's words. */
    public enum State { CONNECTING, OPEN, RECONNECTING, CLOSED }

    public record StateChange(State from, State to) {
    }

    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final ClientOptions options;
    private final Codec codec;
    private final Scheduler scheduler;
    private final Calls calls;
    private final Link link;
    private final Inbox inbox;
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Map<String, Function<JsonValue, ?>> handlers = new ConcurrentHashMap<>();
    private final Listeners<StateChange> states = new Listeners<>();
    private final Listeners<Welcome> opens = new Listeners<>();
    private final Listeners<Closed> closes = new Listeners<>();
    private final Listeners<Direct> directs = new Listeners<>();
    private final Listeners<SwitchboardException> errors = new Listeners<>();
    private volatile Welcome welcome;
    private final CompletableFuture<Welcome> firstWelcome = new CompletableFuture<>();

    private SwitchboardClient(URI uri, ClientOptions options) {
        this.options = options;
        this.codec = options.codec() != null ? options.codec() : Codec.standard();
        this.scheduler = options.scheduler() != null ? options.scheduler()
                : Scheduler.threaded("switchboard-client-" + CLIENTS.incrementAndGet());
        this.calls = new Calls(scheduler, options.offlineQueueSize());
        Transport transport = options.transport() != null ? options.transport() : JakartaTransport.standard();
        this.link = new Link(Wire.wsUri(uri), options, transport, codec, scheduler, new LinkEvents());
        this.inbox = new Inbox(rooms, calls, handlers, directs, errors, codec, scheduler, link::send);
    }

    /** Connects to {@code uri} (e.g. {@code ws://host:8080/app/ws}; http and https are taken as ws and wss). */
    public static SwitchboardClient connect(URI uri, ClientOptions options) {
        SwitchboardClient client = new SwitchboardClient(uri, options);
        client.scheduler.execute(client.link::open);
        return client;
    }

    public static SwitchboardClient connect(URI uri) {
        return connect(uri, ClientOptions.defaults());
    }

    public State state() {
        return link.state();
    }

    /** The server's welcome on the current (or last) connection: user, session, heartbeat; null before the first. */
    public Welcome welcome() {
        return welcome;
    }

    /** Completes with the first welcome, or exceptionally when the client closes for good before it. */
    public CompletionStage<Welcome> ready() {
        return firstWelcome;
    }

    /** The codec this client encodes and decodes payloads with. */
    public Codec codec() {
        return codec;
    }

    /** Joins {@code room}, now or as soon as the client is open, and after every reconnect with what it missed. */
    public Room join(String room) {
        return join(room, (String) null, null);
    }

    /** Joins {@code room} with {@code onMessage} listening before the join is sent (so it misses nothing). */
    public Room join(String room, Consumer<? super Events.Publication> onMessage) {
        Room joined = rooms.computeIfAbsent(room, n -> new Room(this, n, null, null));
        joined.onMessage(onMessage);
        return join(room);
    }

    /** Joins {@code room} recovering from a position: the publications after {@code offset} in {@code epoch}. */
    public Room join(String name, String epoch, Long offset) {
        return join(rooms.computeIfAbsent(name, n -> new Room(this, n, epoch, offset)));
    }

    /** Joins {@code room} receiving only what matches {@code filter} (tag → accepted values; all must match). */
    public Room join(String name, Map<String, List<String>> filter) {
        Room room = rooms.computeIfAbsent(name, n -> new Room(this, n, null, null));
        room.filter = filter == null || filter.isEmpty() ? null : Map.copyOf(filter);
        return join(room);
    }

    private Room join(Room room) {
        scheduler.execute(() -> {
            if (link.state() == State.OPEN) {
                sendJoin(room);
            } else if (link.state() == State.CLOSED) {
                room.failed(new SwitchboardException("closed", "the client is closed"));
            }
        });
        return room;
    }

    /** Leaves {@code room}: it is no longer rejoined, and its listeners are removed. */
    public CompletionStage<Void> leave(String name) {
        Room room = rooms.remove(name);
        if (room != null) {
            room.clear();
        }
        CompletableFuture<JsonObject> answer = new CompletableFuture<>();
        scheduler.execute(() -> {
            if (link.state() == State.OPEN) {
                calls.call(message("leave").add("room", name).build(), answer, options.requestTimeout(), link::send);
            } else {
                answer.complete(JsonValue.EMPTY_JSON_OBJECT);
            }
        });
        return answer.thenApply(a -> null);
    }

    /**
     * Publishes {@code data} (encoded with JSON-B) to a joined room; completes with its offset when the server
     * acknowledged it. Made while not open, it waits in the offline queue; it carries an idempotency key, so that
     * one in flight when the connection drops is sent again after the reconnect and lands once.
     */
    public CompletionStage<Ack> publish(String room, Object data) {
        return publish(room, data, (Map<String, String>) null);
    }

    /** {@link #publish(String, Object)} with {@code tags} (name → value; null: none), which members' filters select on. */
    public CompletionStage<Ack> publish(String room, Object data, Map<String, String> tags) {
        JsonObject publish = Wire.tagged(message("publish").add("room", room).add("data", codec.encode(data))
                .add("key", UUID.randomUUID().toString()), tags);
        return callOrQueue(publish).thenApply(a -> new Ack(a.getString("room", room), a.getJsonNumber("offset").longValue()));
    }

    /** Sends {@code data} to every connection of {@code user}; completes on the server's ack. Queued while offline. */
    public CompletionStage<Void> send(String user, Object data) {
        return callOrQueue(message("send").add("to", user).add("data", codec.encode(data)).build()).thenApply(a -> null);
    }

    /** {@link #send}, kept in {@code user}'s personal stream ({@code user:<user>}) with an offset, connected or not. */
    public CompletionStage<Ack> sendToStream(String user, Object data) {
        JsonObject send = message("send").add("to", user).add("data", codec.encode(data)).add("recoverable", true).build();
        return callOrQueue(send).thenApply(a -> new Ack(a.getString("room"), a.getJsonNumber("offset").longValue()));
    }

    /** Joins the signed-in user's personal stream, {@code user:<user>}, as a room (recovered after every reconnect). */
    public Room joinPersonal(String user) {
        return join("user:" + user);
    }
    /**
     * Calls the server's handler for {@code method}; completes with the reply's data. Not queued: while the client is
     * not open it fails with {@code disconnected} (await {@link #ready()} first).
     */
    public CompletionStage<JsonValue> request(String method, Object data) {
        return request(method, data, options.requestTimeout());
    }

    /** {@link #request(String, Object)} with the reply decoded into {@code type}. */
    public <T> CompletionStage<T> request(String method, Object data, Class<T> type) {
        return request(method, data).thenApply(reply -> codec.decode(reply, type));
    }

    public CompletionStage<JsonValue> request(String method, Object data, Duration timeout) {
        JsonObject request = message("request").add("method", method).add("data", codec.encode(data)).build();
        return call(request, timeout).thenApply(a -> a.getOrDefault("data", JsonValue.NULL));
    }

    /** The members of a joined room. */
    public CompletionStage<List<Member>> presence(String room) {
        return call(message("presence").add("room", room).build(), options.requestTimeout())
                .thenApply(a -> Wire.members(a.getJsonArray("members")));
    }

    /** How many users are in {@code room} on every node, and their connections: presence without the list. */
    public CompletionStage<Events.Occupancy> occupancy(String room) {
        return call(message("occupancy").add("room", room).build(), options.requestTimeout())
                .thenApply(a -> new Events.Occupancy(room, a.getInt("users"), a.getInt("connections")));
    }

    /**
     * A page of {@code room}'s history (authorized as a join): at most {@code limit} publications, oldest first after
     * ({@code sinceEpoch}, {@code sinceOffset}) — both null: from the oldest kept — or the newest first.
     */
    public CompletionStage<Events.HistoryPage> history(String room, int limit, String sinceEpoch, Long sinceOffset,
                                                       boolean newestFirst) {
        return history(room, limit, sinceEpoch, sinceOffset, newestFirst, null);
    }

    /** {@link #history(String, int, String, Long, boolean)} of the publications that match {@code filter} (see join). */
    public CompletionStage<Events.HistoryPage> history(String room, int limit, String sinceEpoch, Long sinceOffset,
                                                       boolean newestFirst, Map<String, List<String>> filter) {
        return call(Wire.filtered(Wire.historyQuery(message("history"), room, limit, sinceEpoch, sinceOffset, newestFirst),
                filter).build(), options.requestTimeout()).thenApply(a -> Wire.history(a, codec));
    }

    /**
     * Answers the server's requests for {@code method}: {@code handler} gets the request's data and returns the
     * reply's (any object, encoded with JSON-B, or a {@link CompletionStage} of one). A handler that throws answers
     * with its {@link SwitchboardException#code()}, or {@code failed}.
     */
    public Registration handle(String method, Function<JsonValue, ?> handler) {
        handlers.put(method, handler);
        return () -> handlers.remove(method, handler);
    }

    public Registration onState(Consumer<? super StateChange> listener) {
        return states.add(listener);
    }

    /** Each connection's welcome (the first and every reconnect). */
    public Registration onOpen(Consumer<? super Welcome> listener) {
        return opens.add(listener);
    }

    public Registration onClose(Consumer<? super Closed> listener) {
        return closes.add(listener);
    }

    public Registration onDirect(Consumer<? super Direct> listener) {
        return directs.add(listener);
    }

    /** Errors that no returned stage reports: a server {@code error} without a request, a failed refresh. */
    public Registration onError(Consumer<? super SwitchboardException> listener) {
        return errors.add(listener);
    }

    /** Closes for good (1000): no reconnect; whatever is in flight or queued fails with {@code closed}. */
    @Override
    public void close() {
        scheduler.execute(link::close);
    }

    /** What the connection tells the client (event thread). */
    private final class LinkEvents implements Link.Owner {
        @Override
        public void stateChanged(StateChange change) {
            states.emit(change);
        }

        @Override
        public void opened(Welcome welcomed) {
            welcome = welcomed;
            firstWelcome.complete(welcomed);
            rooms.values().forEach(SwitchboardClient.this::sendJoin);
            for (Calls.Queued queued : calls.drain()) {
                calls.call(queued.message(), queued.answer(), options.requestTimeout(), link::send);
            }
            opens.emit(welcomed);
        }

        @Override
        public void received(JsonObject message) {
            inbox.receive(message);
        }

        @Override
        public void disconnected(int code, String reason, boolean reconnects) {
            rooms.values().forEach(Room::disconnected);
            calls.disconnected(code, reconnects);
            if (link.state() != State.CLOSED) {
                closes.emit(new Closed(code, reason, reconnects));
            }
        }

        @Override
        public void shutDown(SwitchboardException error) {
            calls.failAll(error);
            firstWelcome.completeExceptionally(error);
            rooms.values().forEach(room -> room.ready.completeExceptionally(error));
            if (options.scheduler() == null) {
                scheduler.shutdown();
            }
        }

        @Override
        public CompletionStage<JsonObject> call(JsonObject message) {
            return SwitchboardClient.this.call(message, options.requestTimeout());
        }

        @Override
        public void failed(SwitchboardException error) {
            errors.emit(error);
        }
    }

    // ---------------------------------------------------------------- messages (event thread)

    private void sendJoin(Room room) {
        JsonObject join = Wire.join(message("join"), room);
        CompletableFuture<JsonObject> answer = new CompletableFuture<>();
        answer.whenComplete((a, error) -> {
            if (error != null) {
                room.failed(Wire.failure(error));
            }
        });
        calls.call(join, answer, options.requestTimeout(), link::send);
    }

    private CompletionStage<JsonObject> callOrQueue(JsonObject message) {
        return calls.callOrQueue(message, scheduler, link, options.requestTimeout());
    }

    private CompletionStage<JsonObject> call(JsonObject message, Duration timeout) {
        return calls.callIfOpen(message, scheduler, link, timeout);
    }

    private static JsonObjectBuilder message(String type) {
        return Json.createObjectBuilder().add("type", type);
    }
}
