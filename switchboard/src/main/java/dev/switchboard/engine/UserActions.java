package dev.switchboard.engine;

import dev.switchboard.Rejection;
import dev.switchboard.RequestHandler;
import dev.switchboard.protocol.ClientMessage;
import dev.switchboard.security.PersonalStreams;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.ServerMessage;
import dev.switchboard.security.Caller;
import dev.switchboard.security.RoomAuthorizer;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a connection asks that is not about a room, once the dispatcher admitted it: a direct message to a user, a
 * request to one of the application's {@link RequestHandler}s, new credentials for itself. Each is answered with a
 * typed reply ({@link Replies}).
 */
final class UserActions {

    private final Dispatcher.Messaging messaging;
    private final Map<String, RequestHandler> handlers;
    private final RoomAuthorizer authorizer;
    private final Replies replies;
    /** How {@code refresh} verifies a credential; set once, at construction. Without it every refresh is refused. */
    private volatile Function<String, Optional<Caller>> credentials = c -> Optional.empty();

    UserActions(Dispatcher.Messaging messaging, Map<String, RequestHandler> handlers, RoomAuthorizer authorizer,
                Replies replies) {
        this.messaging = messaging;
        this.handlers = handlers;
        this.authorizer = authorizer;
        this.replies = replies;
    }

    void verifyCredentialsWith(Function<String, Optional<Caller>> verifier) {
        this.credentials = verifier;
    }

    /**
     * New credentials of the same user: from now on the connection holds their roles and expiry (rooms already joined
     * stay joined; the next join or publish is decided with the new roles). A guest cannot become a user this way,
     * nor a user another user: it reconnects with the new credentials instead.
     */
    void refresh(Connection connection, ClientMessage.Refresh m) {
        Optional<Caller> fresh = connection.caller().anonymous() ? Optional.empty()
                : credentials.apply(m.credential());
        if (fresh.isEmpty() || !fresh.get().name().equals(connection.user())) {
            replies.send(connection, new ServerMessage.Error(m.id(), ErrorCode.BAD_CREDENTIALS, connection.caller().anonymous()
                    ? "a guest connection cannot take credentials: reconnect with them"
                    : "the credential is not valid, or names another user", null));
            return;
        }
        connection.refreshed(fresh.get());
        Instant expires = fresh.get().expiresAt();
        replies.send(connection, new ServerMessage.Refreshed(m.id(), expires == null ? null : expires.toEpochMilli(),
                Dispatcher.expiresInMs(expires)));
    }

    void send(Connection connection, ClientMessage.Send m) {
        if (!authorizer.allowsDirect(connection.caller(), m.to())) {
            replies.send(connection, new ServerMessage.Error(m.id(), ErrorCode.FORBIDDEN,
                    "you may not send direct messages to '" + m.to() + "'", null));
            return;
        }
        if (Boolean.TRUE.equals(m.recoverable())) {
            sendToStream(connection, m);
            return;
        }
        int reached = messaging.sendToUser(connection.user(), m.to(), m.data());
        if (reached == 0) {
            replies.send(connection, new ServerMessage.Error(m.id(), ErrorCode.UNKNOWN_USER,
                    "user '" + m.to() + "' has no open connection", Map.of("to", "not connected")));
        } else {
            replies.send(connection, new ServerMessage.Ack(m.id(), null, null));
        }
    }

    /** Into the recipient's personal stream, with an offset: acked with it, whether or not the user is connected. */
    private void sendToStream(Connection connection, ClientMessage.Send m) {
        String stream = PersonalStreams.room(m.to());
        if (stream == null) {
            replies.send(connection, new ServerMessage.Error(m.id(), ErrorCode.INVALID, "user '" + m.to()
                    + "' has no personal stream: its name is not a room name's", Map.of("to", "no personal stream")));
            return;
        }
        RoomLog.Published published;
        try {
            published = messaging.publish(null, stream, connection.user(), m.data() == null ? JsonValue.NULL : m.data(), null,
                    null);
        } catch (dev.switchboard.Switchboard.Refused notNow) { // node_full
            replies.send(connection, new ServerMessage.Error(m.id(), notNow.code(), notNow.getMessage(), null));
            return;
        }
        if (published == null) {
            replies.send(connection, new ServerMessage.Error(m.id(), ErrorCode.UNAVAILABLE,
                    "the server is shutting down: reconnect and send again", null));
            return;
        }
        replies.send(connection, new ServerMessage.Ack(m.id(), stream, published.publication().offset()));
    }

    void request(Connection connection, ClientMessage.Request m) {
        RequestHandler handler = handlers.get(m.method());
        if (handler == null) {
            replies.send(connection, new ServerMessage.Error(m.id(), ErrorCode.UNKNOWN_METHOD,
                    "no handler for method '" + m.method() + "'; known: " + handlers.keySet(), Map.of("method", "unknown")));
            return;
        }
        try {
            JsonValue result = handler.handle(connection.caller(), m.data() == null ? JsonValue.NULL : m.data());
            replies.send(connection, new ServerMessage.Reply(m.id(), result == null ? JsonValue.NULL : result));
        } catch (RequestHandler.RequestFailure e) {
            replies.send(connection, new ServerMessage.Error(m.id(), e.code(), e.getMessage(), null));
        } catch (Rejection e) {
            replies.send(connection, new ServerMessage.Error(m.id(), e.code(), e.getMessage(),
                    e.details().isEmpty() ? null : e.details()));
        } catch (RuntimeException e) {
            replies.send(connection, Replies.incident(m.id(), "answering request '" + m.method() + "' of " + connection, e));
        }
    }
}
