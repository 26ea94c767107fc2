package dev.switchboard.bench;

import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The floor Switchboard stands on: the best plain {@code @ServerEndpoint} a competent developer writes with nothing
 * but the container's WebSocket layer, on the same server. {@code pub <text>} sends {@code <text>} to every open
 * session with the asynchronous remote (the text is built once; every send is started on the publisher's thread and
 * none waits for its client, as in Tyrus' and Jetty's own broadcast samples); {@code echo <text>} answers
 * {@code <text>} on the thread that received it, asynchronously; {@code count} answers the number of open sessions;
 * {@code restart} closes every session with 1012 (service restart), for the reconnect storm.
 * Deployed by the benchmark as {@code bare.war}, never shipped.
 *
 * <p>What it leaves out, and Switchboard does not: a bound on what a session may queue (the containers queue
 * asynchronous sends without limit, so a client that stops reading grows the heap), ordering checks, history, acks.
 */
@ServerEndpoint("/ws")
public class BareEndpoint {

    private static final Set<Session> SESSIONS = ConcurrentHashMap.newKeySet();

    @OnOpen
    public void open(Session session) {
        SESSIONS.add(session);
    }

    @OnClose
    public void close(Session session) {
        SESSIONS.remove(session);
    }

    @OnError
    public void error(Session session, Throwable error) {
        SESSIONS.remove(session);
    }

    @OnMessage
    public void message(Session session, String text) {
        if (text.startsWith("pub ")) {
            String message = text.substring(4);
            for (Session s : SESSIONS) {
                send(s, message);
            }
        } else if (text.startsWith("echo ")) {
            send(session, text.substring(5));
        } else if (text.equals("restart")) {
            for (Session s : java.util.List.copyOf(SESSIONS)) { // those open now: not the ones coming back meanwhile
                try {
                    s.close(new CloseReason(CloseReason.CloseCodes.SERVICE_RESTART, "restart"));
                } catch (IOException e) {
                    SESSIONS.remove(s);
                }
            }
        } else if (text.equals("count")) {
            try { // answered with the blocking remote: the benchmark's own bookkeeping, not measured
                session.getBasicRemote().sendText(Integer.toString(SESSIONS.size()));
            } catch (IOException e) {
                SESSIONS.remove(session);
            }
        }
    }

    private static void send(Session session, String text) {
        try {
            session.getAsyncRemote().sendText(text, new Forget(session));
        } catch (RuntimeException e) { // IllegalStateException: closed meanwhile
            SESSIONS.remove(session);
        }
    }

    /** A failed send drops the session from the broadcast set. */
    private record Forget(Session session) implements SendHandler {
        @Override
        public void onResult(jakarta.websocket.SendResult result) {
            if (!result.isOK()) {
                SESSIONS.remove(session);
            }
        }
    }
}
