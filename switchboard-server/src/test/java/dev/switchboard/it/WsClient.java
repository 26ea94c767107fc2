package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test client on the JDK's {@link WebSocket}: collects every frame it receives, and the close. Every wait is
 * bounded and fails the test with what was received so far.
 */
final class WsClient implements WebSocket.Listener, AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(10);

    /** A frame as received: text, or binary (text null). */
    record Frame(String text, byte[] binary) {
    }

    /** How the server closed the connection. */
    record Close(int code, String reason) {
    }

    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final StringBuilder partialText = new StringBuilder();
    private java.io.ByteArrayOutputStream partialBinary = new java.io.ByteArrayOutputStream();
    final WebSocket socket;
    /** The user named in {@code welcome} ({@link #connect}), or null. */
    String user;

    private WsClient(URI uri, String... subprotocols) throws Exception {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT);
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        this.socket = builder.buildAsync(uri, this).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Connects to {@code /ws} offering {@code switchboard.v1}, and consumes the {@code welcome}. */
    static WsClient connect(URI base) throws Exception {
        WsClient client = new WsClient(base.resolve("ws"), "switchboard.v1");
        client.user = client.expect("welcome").getString("user");
        return client;
    }

    static WsClient raw(URI uri, String... subprotocols) throws Exception {
        return new WsClient(uri, subprotocols);
    }

    WsClient send(String text) {
        socket.sendText(text, true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        return this;
    }

    WsClient send(JsonObject message) {
        return send(message.toString());
    }

    void sendBinary(byte[] data) {
        socket.sendBinary(ByteBuffer.wrap(data), true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** The next frame's text as received (with {@code switchboard.v1.batch}, possibly several lines). */
    String nextRawText() throws InterruptedException {
        Frame frame = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (frame == null) {
            fail("no frame within " + WAIT + "; received so far: " + seen + "; closed: " + closed.getNow(null));
        }
        assertNotNull(frame.text(), "expected a text frame, got binary");
        return frame.text();
    }

    /** The next frame, which must be text and arrive within {@link #WAIT}. */
    JsonObject next() throws InterruptedException {
        Frame frame = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (frame == null) {
            fail("no frame within " + WAIT + "; received so far: " + seen + "; closed: " + closed.getNow(null));
        }
        assertNotNull(frame.text(), "expected a text frame, got binary");
        return Json.createReader(new StringReader(frame.text())).readObject();
    }

    /** The next text frame, or null once the connection is closed and nothing is left to read (bounded by WAIT). */
    JsonObject nextUnlessClosed() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Frame frame = frames.poll(20, TimeUnit.MILLISECONDS);
            if (frame != null && frame.text() != null) {
                return Json.createReader(new StringReader(frame.text())).readObject();
            }
            if (frame == null && closed.isDone() && frames.isEmpty()) {
                return null;
            }
        }
        throw new AssertionError("neither a frame nor a close within " + WAIT + "; received so far: " + seen);
    }

    /** The next frame, which must be binary ({@code presence_diff} text frames before it are skipped, see {@link #expect}). */
    byte[] nextBinary() throws InterruptedException {
        while (true) {
            Frame frame = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                fail("no frame within " + WAIT + "; received so far: " + seen);
            }
            if (frame.binary() != null) {
                return frame.binary();
            }
            assertTrue(frame.text().contains("\"presence_diff\""), "expected a binary frame, got " + frame.text());
        }
    }

    /**
     * The next frame, which must be of {@code type}. {@code presence_diff} frames are skipped unless that is the
     * type asked for: presence is coalesced over a short window, so when diffs arrive is not part of the contract.
     */
    JsonObject expect(String type) throws InterruptedException {
        JsonObject message = next();
        while (!type.equals("presence_diff") && "presence_diff".equals(message.getString("type", null))) {
            message = next();
        }
        assertEquals(type, message.getString("type", null), "unexpected frame: " + message);
        return message;
    }

    /** Skips frames until a {@code presence_diff} that lists {@code user} in {@code joins} (or {@code leaves}). */
    JsonObject awaitPresence(String user, boolean joined) throws InterruptedException {
        while (true) {
            JsonObject diff = skipTo("presence_diff");
            if (diff.getJsonArray(joined ? "joins" : "leaves").getValuesAs(jakarta.json.JsonString::getString).contains(user)) {
                return diff;
            }
        }
    }

    /** Skips frames until one of {@code type} arrives (bounded by {@link #WAIT} per frame). */
    JsonObject skipTo(String type) throws InterruptedException {
        for (int i = 0; i < 10_000; i++) {
            JsonObject message = next();
            if (type.equals(message.getString("type", null))) {
                return message;
            }
        }
        throw new AssertionError("no " + type);
    }

    /** Skips frames until one of {@code first} or {@code second} arrives (bounded by {@link #WAIT} per frame). */
    JsonObject skipToAny(String first, String second) throws InterruptedException {
        for (int i = 0; i < 10_000; i++) {
            JsonObject message = next();
            String type = message.getString("type", null);
            if (first.equals(type) || second.equals(type)) {
                return message;
            }
        }
        throw new AssertionError("no " + first + " nor " + second);
    }

    /** Fails if a frame of {@code type} arrives within {@code quiet} (other frames are skipped). */
    void assertNo(String type, Duration quiet) throws InterruptedException {
        long deadline = System.nanoTime() + quiet.toNanos();
        for (long left = quiet.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            Frame frame = frames.poll(left, TimeUnit.NANOSECONDS);
            if (frame != null && frame.text() != null
                    && type.equals(Json.createReader(new StringReader(frame.text())).readObject().getString("type", null))) {
                fail("expected no " + type + " within " + quiet + ", got " + frame.text());
            }
        }
    }

    /** The server's close, within {@link #WAIT}. */
    Close awaitClose() throws Exception {
        try {
            return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("not closed within " + WAIT + "; received: " + seen, e);
        }
    }

    /** How the connection was closed, or null while it is open. */
    Close closeInfo() {
        return closed.getNow(null);
    }

    boolean isOpen() {
        return !closed.isDone() && !socket.isInputClosed();
    }

    /** Nothing more is pending right now (checked after a round trip such as ping/pong). */
    int pending() {
        return frames.size();
    }

    /** A listener collecting whole text frames, for tests that build their own socket (e.g. over TLS). */
    static final class Listener implements WebSocket.Listener {
        private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        JsonObject next() throws InterruptedException {
            String text = texts.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (text == null) {
                fail("no frame within " + WAIT);
            }
            return Json.createReader(new StringReader(text)).readObject();
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partialText.append(data);
        if (last) {
            String text = partialText.toString();
            partialText.setLength(0);
            synchronized (seen) {
                if (seen.size() < 50) {
                    seen.add(text.length() > 200 ? text.substring(0, 200) : text);
                }
            }
            frames.add(new Frame(text, null));
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] chunk = new byte[data.remaining()];
        data.get(chunk);
        partialBinary.writeBytes(chunk);
        if (last) {
            frames.add(new Frame(null, partialBinary.toByteArray()));
            partialBinary = new java.io.ByteArrayOutputStream();
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Close(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new Close(-1, String.valueOf(error)));
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
                    .exceptionally(e -> null).join();
        }
        socket.abort();
    }
}
