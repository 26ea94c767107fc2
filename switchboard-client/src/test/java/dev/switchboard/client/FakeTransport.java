package dev.switchboard.client;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A {@link Transport} the test drives: it sees every attempt, plays the server's part and reads what the client sent. */
final class FakeTransport implements Transport {

    /** One connection attempt of the client's. */
    final class Attempt implements Connection {
        final List<String> protocols;
        final Listener listener;
        final CompletableFuture<Connection> result = new CompletableFuture<>();
        final List<JsonObject> sent = new ArrayList<>();
        Integer closedWith;

        Attempt(List<String> protocols, Listener listener) {
            this.protocols = protocols;
            this.listener = listener;
        }

        /** The handshake succeeds and the server says welcome. */
        Attempt open(String welcomeExtras) {
            listener.onOpen(this);
            result.complete(this);
            serverSends("{\"type\":\"welcome\",\"session\":\"s" + attempts.size() + "\",\"user\":\"guest\",\"heartbeatMs\":25000,"
                    + "\"protocol\":\"switchboard.v1\",\"limits\":{}" + welcomeExtras + "}");
            return this;
        }

        Attempt open() {
            return open("");
        }

        void refuse() {
            result.completeExceptionally(new SwitchboardException("disconnected", "HTTP 401"));
        }

        void serverSends(String text) {
            listener.onText(text);
        }

        void serverCloses(int code) {
            listener.onClose(code, "test");
        }

        /** What the client sent of {@code type}, in order. */
        List<JsonObject> sent(String type) {
            return sent.stream().filter(m -> m.getString("type").equals(type)).toList();
        }

        JsonObject last(String type) {
            List<JsonObject> all = sent(type);
            if (all.isEmpty()) {
                throw new AssertionError("the client sent no " + type + "; it sent " + sent);
            }
            return all.get(all.size() - 1);
        }

        @Override
        public void send(String text) {
            sent.add(Json.createReader(new StringReader(text)).readObject());
        }

        @Override
        public void close(int code, String reason) {
            closedWith = code;
        }

        @Override
        public String subprotocol() {
            return "switchboard.v1";
        }
    }

    final List<Attempt> attempts = new ArrayList<>();

    @Override
    public CompletionStage<Connection> connect(URI uri, List<String> subprotocols, java.util.Map<String, List<String>> headers,
                                               Listener listener) {
        Attempt attempt = new Attempt(List.copyOf(subprotocols), listener);
        attempts.add(attempt);
        return attempt.result;
    }

    Attempt last() {
        return attempts.get(attempts.size() - 1);
    }
}
