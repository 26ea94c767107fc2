package dev.switchboard.cluster;

import dev.switchboard.protocol.Codec;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads one message of the Redis channels and tells the {@link Cluster.Listener} what happened, on the inbox thread,
 * in the order Redis published them. A room's channel carries {@code P room epoch offset payload} (a publication),
 * {@code R room epoch offset} (a reset), {@code C room} (presence changed); the nodes' shared channel carries JSON:
 * direct messages, disconnects, operators' removals and questions (those this node sent are skipped: handled here
 * before they were published). Stateless.
 */
final class ClusterInbox {

    private static final Logger LOG = Logger.getLogger(ClusterInbox.class.getName());

    private ClusterInbox() {
    }

    /** {@code message} for {@code listener} of node {@code node}; a question goes to {@code ask}, which must not wait. */
    static void received(String message, String node, Cluster.Listener listener, Consumer<JsonObject> ask) {
        try {
            if (message.startsWith("P ")) {
                int a = message.indexOf(' ', 2);
                int b = message.indexOf(' ', a + 1);
                int c = message.indexOf(' ', b + 1);
                listener.publication(message.substring(2, a), message.substring(a + 1, b),
                        Long.parseLong(message.substring(b + 1, c)), message.substring(c + 1));
            } else if (message.startsWith("R ")) {
                String[] parts = message.split(" ");
                listener.reset(parts[1], parts[2], Long.parseLong(parts[3]));
            } else if (message.startsWith("C ")) {
                listener.presenceChanged(message.substring(2));
            } else if (message.startsWith("{")) {
                JsonObject event = Codec.json().createReader(new StringReader(message)).readObject();
                if (node.equals(event.getString("node"))) {
                    return;
                }
                switch (event.getString("kind")) {
                    case "direct" -> listener.direct(event.getString("user"), event.getString("frame"));
                    case "disconnect" -> listener.disconnect(event.getString("user"), event.getInt("code"),
                            event.getString("reason"));
                    case "remove" -> listener.removeFromRoom(event.getString("room"),
                            event.isNull("user") ? null : event.getString("user"));
                    case "ask" -> ask.accept(event);
                    default -> LOG.log(Level.FINE, "Ignoring unknown cluster event {0}", event.getString("kind"));
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Failed to handle a cluster event", e);
        }
    }
}
