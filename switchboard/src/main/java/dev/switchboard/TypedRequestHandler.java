package dev.switchboard;

import dev.switchboard.security.Caller;

/**
 * A server-side answer to a client's {@code request {method, data}} with types: {@code data} decoded into
 * {@link #type()} with JSON-B and validated with Bean Validation (as if {@code @Valid}), the returned object encoded
 * with JSON-B as the {@code reply}'s data. Implement it as a CDI bean ({@code @ApplicationScoped}); method names are
 * unique across {@link RequestHandler}s and these.
 *
 * <p>Runs as a {@link RoomHandler} does: on Switchboard's handler pool, bounded by
 * {@code switchboard.handlers.timeout-ms} ({@code timeout}); a payload that does not decode or validate answers
 * {@code invalid} with {@code details}; {@link Rejection} answers its code; anything else answers {@code internal}
 * with an incident id.
 *
 * @param <I> the request's data
 * @param <O> the reply's data
 */
public interface TypedRequestHandler<I, O> {

    /** The {@code method} this handler answers, e.g. {@code "quote"}. */
    String method();

    Class<I> type();

    O handle(Caller caller, I request);
}
