package dev.switchboard.engine;

import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import dev.switchboard.protocol.ClientMessage;
import dev.switchboard.security.Caller;
import java.nio.ByteBuffer;

/**
 * The one contract every transport calls (the WebSocket endpoints in {@code dev.switchboard.web}): a connection opens,
 * sends messages and pongs, and closes. The engine answers through the connection's {@link Transport}; none of these
 * methods blocks on a client. {@code open}, {@code received}, {@code text}, {@code binary}, {@code refuse} and
 * {@code closed} may start an asynchronous send on the caller's thread before they return (write-through: the answer
 * to that connection, when its writer was idle, see {@code WriteThrough}); callers hold no lock.
 */
public interface Sessions {

    /** The settings transports apply to the socket (message size, send timeout). */
    Settings settings();

    /** False while the node drains (an operator's drain, or shutdown): refuse new sockets with 1013. */
    boolean admitting();

    /**
     * A socket opened at {@code endpoint} ({@code /ws}, {@code /ws/rooms/{room}}, {@code /ws/monitor}) for
     * {@code caller} ({@code null}: a guest). {@code /ws} gets {@code welcome}; {@code /ws/rooms/{room}} joins its room
     * (refused: closed with 4403 or 1013). Null when the user has as many connections as allowed: close with 1013.
     * With {@code batching} ({@code switchboard.v1.batch}) queued messages may share a frame. {@code language}: the
     * first the handshake's {@code Accept-Language} named, or null (the caller then speaks the server's default).
     */
    Connection open(Transport transport, Caller caller, String endpoint, boolean batching, java.util.Locale language);

    /** A message of the {@code /ws} protocol (or of {@code /ws/monitor}, which answers only {@code ping}). */
    void received(Connection connection, ClientMessage message);

    /** A text frame on {@code /ws/rooms/{room}}: published to the room. */
    void text(Connection connection, String room, String text);

    /** A binary frame on {@code /ws/rooms/{room}}: fanned out to the room's plain connections. */
    void binary(Connection connection, String room, ByteBuffer data);

    /** The peer answered a ping (or sent an unsolicited pong). */
    void pong(Connection connection, ByteBuffer payload);

    /** Something the endpoint does not take (e.g. binary on {@code /ws}): closes with {@code code}, after what is queued. */
    void refuse(Connection connection, int code, String reason);

    /**
     * Server push outside rooms (the monitor's log and stats streams): {@code frame} is queued under {@code policy},
     * {@code stream} naming what a conflating policy keeps the latest of. Never blocks; false when not queued.
     */
    boolean push(Connection connection, String frame, String stream, SlowConsumerPolicy policy);

    /** The socket closed (its {@code @OnClose}); leaves every room. Idempotent. */
    void closed(Connection connection, int code, String reason);
}
