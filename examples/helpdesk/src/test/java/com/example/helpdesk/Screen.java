package com.example.helpdesk;

import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A help desk screen's connection to Switchboard ({@code switchboard.path}), on the JDK's WebSocket client: every message it receives, in order;
 * every wait bounded, failing with what arrived instead.
 */
final class Screen implements WebSocket.Listener, AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    private Screen() {
    }

    /**
     * Connects offering {@code switchboard.v1} and then {@code credentials} (e.g. {@code ticket.<ticket>}), with
     * {@code authorization} (null: none) on the handshake.
     */
    static Screen open(URI uri, String authorization, String... credentials) throws Exception {
        Screen screen = new Screen();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT)
                .subprotocols("switchboard.v1", credentials);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        screen.socket = builder.buildAsync(uri, screen).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return screen;
    }

    void send(String text) throws Exception {
        socket.sendText(text, true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The next message of {@code type}, skipping presence diffs; fails with what arrived instead. */
    JsonObject expect(String type) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonObject next = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null) {
                fail("no '" + type + "' within " + WAIT.toSeconds() + " s; received: " + seen);
            }
            if (next.getString("type", "").equals(type)) {
                return next;
            }
            if (!next.getString("type", "").equals("presence_diff")) {
                fail("expected '" + type + "', received " + next + " (all so far: " + seen + ")");
            }
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            synchronized (seen) {
                seen.add(text);
            }
            received.add(Json.createReader(new StringReader(text)).readObject());
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }
}
