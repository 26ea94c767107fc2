package dev.switchboard.it;

import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/**
 * The floor {@link ConnectionHeapIT} measures Switchboard against: a plain {@code @ServerEndpoint} that holds nothing
 * of its own for an idle session, in a WAR of its own (no CDI, no security). A top-level class: WildFly's Weld loads a
 * nested endpoint's enclosing class too, which that WAR does not hold.
 */
@ServerEndpoint("/ws")
public class HeapFloorEndpoint {

    @OnOpen
    public void open(Session session) {
        // the container's session is the floor
    }
}
