package dev.switchboard.engine;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A {@link Transport} over a Jakarta WebSocket session, sending with the async remote and a send timeout. */
final class SessionTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(SessionTransport.class.getName());

    private final Session session;
    private final RemoteEndpoint.Async remote;

    SessionTransport(Session session, long sendTimeoutMillis) {
        this.session = session;
        this.remote = session.getAsyncRemote();
        remote.setSendTimeout(sendTimeoutMillis);
    }

    @Override
    public void sendText(String text, Consumer<Throwable> done) {
        try {
            remote.sendText(text, result -> done.accept(result.isOK() ? null : result.getException()));
        } catch (RuntimeException e) { // IllegalStateException: the session closed under us
            done.accept(e);
        }
    }

    @Override
    public void sendBinary(ByteBuffer data, Consumer<Throwable> done) {
        try {
            remote.sendBinary(data.duplicate(), result -> done.accept(result.isOK() ? null : result.getException()));
        } catch (RuntimeException e) {
            done.accept(e);
        }
    }

    @Override
    public void ping(ByteBuffer payload) {
        try {
            remote.sendPing(payload);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Ping to " + session.getId() + " failed", e);
        }
    }

    @Override
    public void close(int code, String reason) {
        if (!session.isOpen()) {
            return;
        }
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Closing session " + session.getId() + " with " + code + " failed; it is gone", e);
        }
    }
}
