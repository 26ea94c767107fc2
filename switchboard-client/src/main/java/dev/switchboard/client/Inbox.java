package dev.switchboard.client;

import dev.switchboard.client.Events.Direct;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Where the server's messages go, on the event thread: answers to the operations in flight, publications and
 * presence to their rooms, direct messages and errors to the client's listeners, requests to the handlers.
 */
final class Inbox {

    private final Map<String, Room> rooms;
    private final Calls calls;
    private final Map<String, Function<JsonValue, ?>> handlers;
    private final Listeners<Direct> directs;
    private final Listeners<SwitchboardException> errors;
    private final Codec codec;
    private final Scheduler scheduler;
    private final Consumer<String> send;

    Inbox(Map<String, Room> rooms, Calls calls, Map<String, Function<JsonValue, ?>> handlers, Listeners<Direct> directs,
          Listeners<SwitchboardException> errors, Codec codec, Scheduler scheduler, Consumer<String> send) {
        this.rooms = rooms;
        this.calls = calls;
        this.handlers = handlers;
        this.directs = directs;
        this.errors = errors;
        this.codec = codec;
        this.scheduler = scheduler;
        this.send = send;
    }

    void receive(JsonObject message) {
        switch (message.getString("type", "")) {
            case "joined" -> {
                calls.settle(message);
                Room room = rooms.get(message.getString("room", ""));
                if (room != null) {
                    room.joined(Wire.joined(message));
                }
            }
            case "message" -> {
                Room room = rooms.get(message.getString("room", ""));
                if (room != null) {
                    room.message(Wire.publication(message, codec));
                }
            }
            case "presence_diff" -> {
                Room room = rooms.get(message.getString("room", ""));
                if (room != null) {
                    room.presenceDiff(Wire.strings(message.getJsonArray("joins")), Wire.strings(message.getJsonArray("leaves")));
                }
            }
            case "direct" -> directs.emit(new Direct(message.getString("from", null), message.getOrDefault("data", JsonValue.NULL), codec));
            case "request" -> Wire.answer(message, handlers.get(message.getString("method", "")), codec, scheduler, send);
            case "pong" -> { }
            case "left" -> {
                if (message.containsKey("re")) {
                    calls.settle(message);
                } else {
                    Room room = rooms.remove(message.getString("room", ""));
                    if (room != null) {
                        room.removed(); // an administrator removed this connection: not rejoined
                    }
                }
            }
            default -> {
                if (!calls.settle(message) && "error".equals(message.getString("type", ""))) {
                    errors.emit(new SwitchboardException(message.getString("code", "internal"),
                            message.getString("message", null), message.getJsonObject("details")));
                }
            }
        }
    }
}
