package dev.switchboard.cdi;

import dev.switchboard.Rejection;
import dev.switchboard.RequestHandler;
import dev.switchboard.RoomCall;
import dev.switchboard.RoomHandler;
import dev.switchboard.engine.Incidents;
import dev.switchboard.engine.RoomRules;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.security.Caller;
import jakarta.json.JsonValue;
import java.util.HashMap;
import java.util.Map;

/**
 * The application's {@link RoomHandler} beans as the engine's {@link RoomRules}: which handler rules a room (its
 * name, else its class), and each call run on the {@link HandlerPool} with the payload decoded and validated by
 * {@link Payloads}. A handler's {@link Rejection} becomes the refusal it names; a timeout, {@code timeout}; anything
 * else it throws, {@code internal} with an incident id.
 */
final class HandlerRules implements RoomRules {

    private final Map<String, RoomHandler<?>> byName = new HashMap<>();
    private final Map<String, RoomHandler<?>> byClass = new HashMap<>();
    private final boolean none;
    private final HandlerPool pool;
    private final Payloads payloads;

    HandlerRules(Iterable<? extends RoomHandler<?>> handlers, HandlerPool pool, Payloads payloads) {
        this.pool = pool;
        this.payloads = payloads;
        for (RoomHandler<?> handler : handlers) {
            String pattern = handler.rooms();
            boolean isClass = pattern.endsWith(":*");
            String key = isClass ? pattern.substring(0, pattern.length() - 2) : pattern;
            if (key.isEmpty() || key.contains("*")) {
                throw new IllegalStateException("RoomHandler " + handler.getClass().getName() + " rules '" + pattern
                        + "': give a room name (lobby) or a room class (orders:*)");
            }
            RoomHandler<?> previous = (isClass ? byClass : byName).put(key, handler);
            if (previous != null) {
                throw new IllegalStateException("Two RoomHandler beans rule '" + pattern + "': "
                        + previous.getClass().getName() + " and " + handler.getClass().getName());
            }
        }
        this.none = byName.isEmpty() && byClass.isEmpty();
    }

    private RoomHandler<?> handler(String room) {
        if (none) {
            return null;
        }
        RoomHandler<?> named = byName.get(room);
        if (named != null || byClass.isEmpty()) {
            return named;
        }
        int colon = room.indexOf(':');
        return colon < 0 ? null : byClass.get(room.substring(0, colon));
    }

    @Override
    public boolean governs(String room) {
        return handler(room) != null;
    }

    @Override
    public Verdict join(Caller caller, String connection, String room) {
        RoomHandler<?> handler = handler(room);
        RoomCall call = new RoomCall(room, caller, connection);
        return decide(() -> {
            handler.onJoin(call);
            return new Allowed(null);
        }, "in " + handler.getClass().getName() + ".onJoin for " + room);
    }

    @Override
    public Verdict publish(Caller caller, String connection, String room, JsonValue data) {
        @SuppressWarnings("unchecked") // the handler's own type(): what decode makes
        RoomHandler<Object> handler = (RoomHandler<Object>) handler(room);
        RoomCall call = new RoomCall(room, caller, connection);
        return decide(() -> new Allowed(payloads.encode(handler.onPublish(call, payloads.decode(data, handler.type(), caller.locale())))),
                "in " + handler.getClass().getName() + ".onPublish for " + room);
    }

    @Override
    public void left(Caller caller, String connection, String room) {
        RoomHandler<?> handler = handler(room);
        RoomCall call = new RoomCall(room, caller, connection);
        pool.run(() -> handler.onLeave(call), "in " + handler.getClass().getName() + ".onLeave for " + room);
    }

    private Verdict decide(java.util.concurrent.Callable<Verdict> decision, String doing) {
        try {
            return pool.call(decision, doing);
        } catch (Rejection e) {
            return new Refused(e.code(), e.getMessage(), e.details());
        } catch (RequestHandler.RequestFailure e) {
            return new Refused(e.code(), e.getMessage(), Map.of());
        } catch (RuntimeException e) {
            return new Refused(ErrorCode.INTERNAL, Incidents.record(doing, e), Map.of());
        }
    }
}
