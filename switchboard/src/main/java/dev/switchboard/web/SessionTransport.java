package dev.switchboard.web;

import dev.switchboard.engine.Transport;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A {@link Transport} over a Jakarta WebSocket session, sending with the async remote and a send timeout. */
final class SessionTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(SessionTransport.class.getName());

    /**
     * Container quirk (Payara 6, its Tyrus 2.1.5.payara-p2): every send and ping re-schedules the session's idle-timeout
     * task on a managed scheduled executor, and creating that managed task captures the caller's context through a
     * {@code ServiceLoader} lookup on the thread's context class loader — with the WAR's loader, a scan of every jar in
     * {@code WEB-INF/lib} and of Payara's API loader, per send. A JFR profile of fan-out to 10 000 put 80 % of the
     * server's CPU there. The lookup finds nothing Switchboard needs (the task it builds only re-arms an idle timer), so
     * on Tyrus the send runs with the platform class loader as context loader. Undertow (WildFly) does not do this.
     */
    private final boolean cheapContextLoader;

    /**
     * Container quirk (WildFly, Undertow 2.3): an async send queues its frame on the connection's channel and has the
     * channel's I/O thread write what is queued, several frames in one write, each send completing in order; a send
     * made while others are in flight is allowed. Waiting for each send before the next (what other containers need:
     * Tomcat's refuses a send while one is in flight) costs a write per frame: fan-out to 10 000 plain clients reached
     * about half the bare container's deliveries per second. So on Undertow the writer hands the frames queued behind a
     * send over without waiting ({@link Transport#takesSendsAhead}).
     */
    private final boolean takesSendsAhead;

    private final Session session;
    private final RemoteEndpoint.Async remote;

    SessionTransport(Session session, long sendTimeoutMillis) {
        this.session = session;
        this.remote = session.getAsyncRemote();
        remote.setSendTimeout(sendTimeoutMillis);
        this.cheapContextLoader = remote.getClass().getName().startsWith("org.glassfish.tyrus.");
        this.takesSendsAhead = remote.getClass().getName().startsWith("io.undertow.");
    }

    @Override
    public boolean takesSendsAhead() {
        return takesSendsAhead;
    }

    /**
     * The container's completions, made once for each of the two completions the writer passes (it passes the same
     * ones every time: a send's, and a send's handed ahead): a send allocates no handler. Writer only.
     */
    private Consumer<Throwable> firstDone;
    private SendHandler firstHandler;
    private Consumer<Throwable> secondDone;
    private SendHandler secondHandler;

    private SendHandler handler(Consumer<Throwable> done) {
        if (done == firstDone) {
            return firstHandler;
        }
        if (done != secondDone) { // not seen yet: the first slot while it is free, else the second
            SendHandler made = result -> done.accept(result.isOK() ? null : result.getException());
            if (firstDone == null) {
                firstDone = done;
                return firstHandler = made;
            }
            secondDone = done;
            secondHandler = made;
        }
        return secondHandler;
    }

    /** Sets the platform class loader as context loader where the container needs it (see above); the previous one. */
    private ClassLoader cheapContextLoader() {
        if (!cheapContextLoader) {
            return null;
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ClassLoader.getPlatformClassLoader());
        return previous;
    }

    private void restore(ClassLoader previous) {
        if (cheapContextLoader) {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Override
    public void sendText(String text, Consumer<Throwable> done) {
        SendHandler completion = handler(done);
        ClassLoader previous = cheapContextLoader();
        try {
            remote.sendText(text, completion);
        } catch (RuntimeException e) { // IllegalStateException: the session closed under us
            done.accept(e);
        } finally {
            restore(previous);
        }
    }

    @Override
    public void sendBinary(ByteBuffer data, Consumer<Throwable> done) {
        SendHandler completion = handler(done);
        ClassLoader previous = cheapContextLoader();
        try {
            remote.sendBinary(data.duplicate(), completion);
        } catch (RuntimeException e) {
            done.accept(e);
        } finally {
            restore(previous);
        }
    }

    @Override
    public void ping(ByteBuffer payload) {
        ClassLoader previous = cheapContextLoader();
        try {
            remote.sendPing(payload);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Ping to " + session.getId() + " failed", e);
        } finally {
            restore(previous);
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
