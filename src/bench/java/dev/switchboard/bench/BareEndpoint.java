package dev.switchboard.bench;

import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The floor Switchboard stands on: a bare {@code @ServerEndpoint} broadcast loop on the same server, with nothing
 * but the container's WebSocket layer. {@code pub <text>} sends {@code <text>} to every open session with the
 * blocking remote, in a loop on the publisher's thread; {@code echo <text>} answers {@code <text>};
 * {@code count} answers the number of open sessions. Deployed by the benchmark as {@code bare.war}, never shipped.
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
                try {
                    s.getBasicRemote().sendText(message);
                } catch (IOException | RuntimeException e) {
                    SESSIONS.remove(s);
                }
            }
        } else if (text.startsWith("echo ")) {
            reply(session, text.substring(5));
        } else if (text.equals("count")) {
            reply(session, Integer.toString(SESSIONS.size()));
        }
    }

    private static void reply(Session session, String text) {
        try {
            session.getBasicRemote().sendText(text);
        } catch (IOException e) {
            SESSIONS.remove(session);
        }
    }
}
