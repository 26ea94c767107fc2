package dev.switchboard.client;

import jakarta.json.JsonObject;

/**
 * A failed operation. {@link #code()} is the protocol's error code ({@code forbidden}, {@code not_joined},
 * {@code invalid} …, docs/PROTOCOL.md) or one of the client's own: {@code timeout}, {@code disconnected},
 * {@code closed}, {@code offline_queue_full}.
 */
public final class SwitchboardException extends RuntimeException {

    private final String code;
    private final JsonObject details;

    public SwitchboardException(String code, String message, JsonObject details) {
        super(message == null || message.isEmpty() ? code : code + ": " + message);
        this.code = code;
        this.details = details;
    }

    public SwitchboardException(String code, String message) {
        this(code, message, null);
    }

    public String code() {
        return code;
    }

    /** What the server said about each field, for {@code invalid}; null otherwise. */
    public JsonObject details() {
        return details;
    }
}
