package dev.switchboard;

import java.util.Map;

/**
 * An application's typed "no", thrown by a {@link RoomHandler} or a {@link TypedRequestHandler}: the client gets
 * {@code error {re, code, message, details}} and its connection goes on. Codes are the application's to choose
 * (lower-case words, e.g. {@code not_on_order}); {@code details} maps a field to what is wrong with it.
 */
public class Rejection extends RuntimeException {

    private final String code;
    private final Map<String, String> details;

    public Rejection(String code, String message) {
        this(code, message, Map.of());
    }

    public Rejection(String code, String message, Map<String, String> details) {
        super(message, null, false, false);
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public String code() {
        return code;
    }

    /** Field → what is wrong with it; empty when the code says it all. */
    public Map<String, String> details() {
        return details;
    }
}
