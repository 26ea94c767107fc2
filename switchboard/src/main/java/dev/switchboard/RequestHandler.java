package dev.switchboard;

import jakarta.json.JsonValue;

/**
 * A server-side answer to a client's {@code request {method, data}}. Implement it as a CDI bean
 * ({@code @ApplicationScoped}); Switchboard finds every bean of this type at startup. Method names are unique.
 *
 * <p>{@link #handle} runs on the thread that received the request: do quick work there, or hand it off. Throw
 * {@link RequestFailure} or {@link Rejection} for a typed {@code error} reply; any other exception becomes
 * {@code internal} with an incident id (logged on the server with its cause). {@link TypedRequestHandler} is the
 * typed form (records in and out, Bean Validation, a time limit).
 */
public interface RequestHandler {

    /** The {@code method} this handler answers, e.g. {@code "echo"}. */
    String method();

    /** Returns the {@code data} of the {@code reply}; {@code null} means JSON {@code null}. */
    JsonValue handle(String user, JsonValue data);

    /**
     * What Switchboard calls: {@link #handle(String, JsonValue)} with the caller's name. Override it instead when the
     * answer depends on the caller's roles.
     */
    default JsonValue handle(dev.switchboard.security.Caller caller, JsonValue data) {
        return handle(caller.name(), data);
    }

    /** A typed failure of a request: becomes {@code error {re, code, message}}. */
    final class RequestFailure extends RuntimeException {
        private final String code;

        public RequestFailure(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
