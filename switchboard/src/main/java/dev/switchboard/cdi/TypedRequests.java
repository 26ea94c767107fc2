package dev.switchboard.cdi;

import dev.switchboard.RequestHandler;
import dev.switchboard.TypedRequestHandler;
import dev.switchboard.security.Caller;
import jakarta.json.JsonValue;

/**
 * A {@link TypedRequestHandler} as the engine's {@link RequestHandler}: the request's data decoded and validated
 * ({@link Payloads}), the handler run on the {@link HandlerPool}, its answer encoded. What it throws reaches the engine
 * as thrown ({@code Rejection}: its code; anything else: {@code internal} with an incident id).
 */
final class TypedRequests implements RequestHandler {

    private final TypedRequestHandler<Object, ?> handler;
    private final String method;
    private final HandlerPool pool;
    private final Payloads payloads;

    @SuppressWarnings("unchecked") // the handler's own type(): what decode makes
    TypedRequests(TypedRequestHandler<?, ?> handler, HandlerPool pool, Payloads payloads) {
        this.handler = (TypedRequestHandler<Object, ?>) handler;
        this.method = handler.method();
        this.pool = pool;
        this.payloads = payloads;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public JsonValue handle(String user, JsonValue data) {
        throw new UnsupportedOperationException("called with the caller: handle(Caller, JsonValue)");
    }

    @Override
    public JsonValue handle(Caller caller, JsonValue data) {
        return pool.call(() -> payloads.encode(handler.handle(caller, payloads.decode(data, handler.type(), caller.locale()))),
                "in " + handler.getClass().getName() + ".handle for '" + method + "'");
    }
}
