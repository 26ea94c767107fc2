package dev.switchboard.engine;

import dev.switchboard.Switchboard.Member;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an operator sees of this node and may do to it (the admin API and page): rooms with their members, a user's
 * connections on every node, removals and the drain. Every view is an immutable snapshot.
 */
public interface NodeAdmin {

    /** A room as the admin view shows it: members here and on other nodes, its position, its history on this node. */
    record RoomView(String room, int connections, List<Member> members, String epoch, long offset,
                    int historyMessages, long historyBytes, String slowConsumer) {
    }

    /**
     * One connection as the admin view shows it, on the node that holds it. {@code state}: {@code ok}; {@code behind}
     * (its queue is at half its bound or more, or a send has been running for over a second: a slow consumer in the
     * making); {@code closing}.
     */
    record ConnectionView(String node, String id, String user, String endpoint, long openSeconds, List<String> rooms,
                          int queued, int queueLimit, long sent, long dropped, String state) {

        static ConnectionView fromJson(JsonObject o) {
            return new ConnectionView(o.getString("node"), o.getString("id"), o.getString("user"), o.getString("endpoint"),
                    o.getJsonNumber("openSeconds").longValue(),
                    o.getJsonArray("rooms").getValuesAs(JsonString.class).stream().map(JsonString::getString).toList(),
                    o.getInt("queued"), o.getInt("queueLimit"), o.getJsonNumber("sent").longValue(),
                    o.getJsonNumber("dropped").longValue(), o.getString("state"));
        }
    }

    /**
     * A user's connections on every node (each node asked over the cluster, within half a second), how many each
     * live node holds, and the nodes that did not answer in time ({@code unanswered}; with Redis unreachable,
     * {@code clusterAnswered} is false and only this node's are listed).
     */
    record UserView(String user, String node, List<ConnectionView> connections, Map<String, Integer> byNode,
                    List<String> unanswered, boolean clusterAnswered) {
    }

    /** This node's id in the cluster. */
    String node();

    /** Every room on this node, by name. */
    List<RoomView> roomViews();

    Optional<RoomView> roomView(String name);

    UserView user(String user);

    /**
     * Removes {@code user} (null: every member — the room is closed) from {@code room}, on every node; returns the
     * connections removed on this one. The room's history stays; members may join again as the room authorizer allows.
     */
    int removeFromRoom(String room, String user);

    /**
     * An operator's drain: readiness reports DOWN and new handshakes are refused with 503; connections open here
     * stay. {@code false} takes connections again.
     */
    void drain(boolean on);

    /** Whether the node is draining: for an operator ({@link #drain}) or for its shutdown. */
    boolean draining();

    /**
     * Closes every connection on this node with 1012 (service restart), each after what is already queued for it.
     * Clients reconnect with their backoff (the JS and Java clients do), through the load balancer: to this node, or
     * to another while this one {@linkplain #drain drains}. Then they recover what they missed with {@code since}.
     * Connections already closing are left as they are. Returns how many were asked to close.
     */
    int reconnectAll();
}
