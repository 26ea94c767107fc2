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
 * before they were published). Both sides of a question ({@link #ask}, {@link #answer}) are here too. Stateless.
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

    private static final long ANSWER_TTL_SECONDS = 30; // a node's answer to a question, kept for the asker

    /** Answers another node's question without waiting: the inbox thread delivers publications in order. */
    static void answer(Redis redis, String node, Cluster.Listener listener, JsonObject event) {
        String answer = listener.answer(event.getString("question"), event.getString("argument"));
        if (answer != null) {
            redis.hsetAsync("answer " + event.getString("question"), event.getString("reply"), node, answer,
                    ANSWER_TTL_SECONDS);
        }
    }

    /**
     * Blocking: asks {@code others} (live nodes but this one) {@code question} on the broadcast channel and reads their
     * answers from a reply hash until all answered or {@code wait} passed; the answers of those that did.
     */
    static java.util.Map<String, String> ask(Redis redis, String node, java.util.Set<String> others, String question,
                                             String argument, java.time.Duration wait) throws StoreUnavailable {
        String reply = redis.config().prefix() + ":answers:" + java.util.UUID.randomUUID();
        redis.call(redis.channel(), c -> c.publish(redis.channel(), Codec.json().createObjectBuilder().add("kind", "ask")
                .add("node", node).add("question", question).add("argument", argument).add("reply", reply).build()
                .toString()));
        long deadline = System.nanoTime() + wait.toNanos();
        java.util.Map<String, String> answers = redis.call(reply, c -> c.hgetall(reply));
        while (!answers.keySet().containsAll(others) && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
            answers = redis.call(reply, c -> c.hgetall(reply));
        }
        java.util.Map<String, String> live = new java.util.TreeMap<>(answers);
        live.keySet().retainAll(others);
        return live;
    }
}
