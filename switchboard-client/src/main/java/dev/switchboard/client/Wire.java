package dev.switchboard.client;

import dev.switchboard.client.Events.Joined;
import dev.switchboard.client.Events.Member;
import dev.switchboard.client.Events.Publication;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/** Reads the server's messages into the client's records, and answers its requests. Stateless (docs/PROTOCOL.md). */
final class Wire {

    private Wire() {
    }

    /** One text frame's messages: {@code switchboard.v1.batch} carries several, one per line (JSON has no raw newline). */
    static List<String> frames(String text) {
        return text.indexOf('\n') < 0 ? List.of(text) : List.of(text.split("\n"));
    }

    static Joined joined(JsonObject m) {
        Boolean recovered = m.containsKey("recovered") ? m.getBoolean("recovered") : null;
        return new Joined(m.getString("room"), m.getString("epoch"), m.getJsonNumber("offset").longValue(), recovered,
                members(m.getJsonArray("presence")));
    }

    static Publication publication(JsonObject m, Codec codec) {
        return new Publication(m.getString("room"), m.getString("epoch"), m.getJsonNumber("offset").longValue(),
                m.getString("from", null), m.getJsonNumber("ts") == null ? 0 : m.getJsonNumber("ts").longValue(),
                m.getOrDefault("data", JsonValue.NULL), tags(m), codec);
    }

    /** The {@link SwitchboardException} a failed stage carries, or one made of whatever else failed it. */
    static SwitchboardException failure(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        return cause instanceof SwitchboardException e ? e : new SwitchboardException("failed", String.valueOf(cause.getMessage()));
    }

    /** The endpoint's WebSocket URI: http and https are taken as ws and wss. */
    static java.net.URI wsUri(java.net.URI uri) {
        String scheme = uri.getScheme();
        if ("http".equals(scheme) || "https".equals(scheme)) {
            return java.net.URI.create(("http".equals(scheme) ? "ws" : "wss") + uri.toString().substring(scheme.length()));
        }
        return uri;
    }

    /** A {@code join} of {@code room}: with its filter, and {@code since} its position when it knows one. */
    static JsonObject join(JsonObjectBuilder message, Room room) {
        filtered(message.add("room", room.name()), room.filter);
        if (room.knowsPosition()) {
            message.add("since", Json.createObjectBuilder().add("epoch", room.epochForJoin()).add("offset", room.offsetForJoin()));
        }
        return message.build();
    }

    /** {@code message} with {@code filter} (tag name → accepted values) when there is one. */
    static JsonObjectBuilder filtered(JsonObjectBuilder message, Map<String, List<String>> filter) {
        if (filter != null && !filter.isEmpty()) {
            JsonObjectBuilder f = Json.createObjectBuilder();
            filter.forEach((tag, values) -> f.add(tag, Json.createArrayBuilder(values)));
            message.add("filter", f);
        }
        return message;
    }

    /** {@code message} with {@code tags} when there are any, built. */
    static JsonObject tagged(JsonObjectBuilder message, Map<String, String> tags) {
        if (tags != null && !tags.isEmpty()) {
            JsonObjectBuilder t = Json.createObjectBuilder();
            tags.forEach(t::add);
            message.add("tags", t);
        }
        return message.build();
    }

    /** A {@code history} message: at most {@code limit}, after the position when given, the newest first or not. */
    static JsonObjectBuilder historyQuery(JsonObjectBuilder message, String room, int limit, String sinceEpoch,
                                          Long sinceOffset, boolean newestFirst) {
        message.add("room", room).add("limit", limit);
        if (sinceEpoch != null && sinceOffset != null) {
            message.add("since", Json.createObjectBuilder().add("epoch", sinceEpoch).add("offset", sinceOffset));
        }
        return newestFirst ? message.add("reverse", true) : message;
    }

    static Events.HistoryPage history(JsonObject m, Codec codec) {
        String room = m.getString("room");
        String epoch = m.getString("epoch");
        List<Publication> publications = m.getJsonArray("publications").getValuesAs(JsonObject.class).stream()
                .map(p -> new Publication(room, epoch, p.getJsonNumber("offset").longValue(), p.getString("from", null),
                        p.getJsonNumber("ts").longValue(), p.getOrDefault("data", JsonValue.NULL), tags(p), codec)).toList();
        return new Events.HistoryPage(room, epoch, m.getJsonNumber("offset").longValue(),
                m.containsKey("recovered") ? m.getBoolean("recovered") : null, publications);
    }

    /** A publication's tags; empty for none. */
    static Map<String, String> tags(JsonObject m) {
        JsonObject tags = m.getJsonObject("tags");
        if (tags == null) {
            return Map.of();
        }
        Map<String, String> byName = new java.util.TreeMap<>();
        tags.forEach((name, value) -> byName.put(name, ((jakarta.json.JsonString) value).getString()));
        return java.util.Collections.unmodifiableMap(byName);
    }

    static List<Member> members(JsonArray array) {
        if (array == null) {
            return List.of();
        }
        return array.getValuesAs(JsonObject.class).stream()
                .map(o -> new Member(o.getString("user"), o.getInt("connections", 1))).toList();
    }

    static List<String> strings(JsonArray array) {
        return array == null ? List.of() : array.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }

    /**
     * Answers the server's {@code request} with {@code handler}'s result (a value or a stage of one), as
     * {@code reply {re, data}}, or {@code reply {re, error, message}} when there is no handler or it failed.
     */
    static void answer(JsonObject request, Function<JsonValue, ?> handler, Codec codec, Scheduler scheduler, Consumer<String> send) {
        String id = request.getString("id", "");
        if (handler == null) {
            send.accept(reply(id).add("error", "unknown_method")
                    .add("message", "no handler for " + request.getString("method", "")).build().toString());
            return;
        }
        CompletionStage<?> result;
        try {
            Object value = handler.apply(request.getOrDefault("data", JsonValue.NULL));
            result = value instanceof CompletionStage<?> stage ? stage : CompletableFuture.completedFuture(value);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((value, error) -> scheduler.execute(() -> {
            if (error == null) {
                send.accept(reply(id).add("data", codec.encode(value)).build().toString());
            } else {
                SwitchboardException e = Wire.failure(error);
                send.accept(reply(id).add("error", e.code()).add("message", String.valueOf(e.getMessage())).build().toString());
            }
        }));
    }

    private static JsonObjectBuilder reply(String id) {
        return Json.createObjectBuilder().add("type", "reply").add("re", id);
    }
}
