package dev.switchboard.cluster;

import dev.switchboard.protocol.Codec;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The users' side of {@link RedisCluster}: where each user's connections are ({@code prefix:{user:<user>}} hash,
 * node → connections there; the node's own set of users, to withdraw), and the messages for a user — direct
 * messages, disconnects — sent on the channels of the nodes that hold the user only, never to every node.
 */
final class RedisUsers {

    private final Redis redis;
    private final String node;
    /** The live nodes now: one immutable set at a time. */
    private final Supplier<Set<String>> alive;

    RedisUsers(Redis redis, String node, Supplier<Set<String>> alive) {
        this.redis = redis;
        this.node = node;
        this.alive = alive;
    }

    /** Never waits: {@code user} has {@code connections} open here (0: none); {@code onFailure} runs if a write fails. */
    void connections(String user, int connections, Runnable onFailure) {
        String key = redis.userKey(user);
        if (connections > 0) { // the node's set first: a node that dies in between leaves nothing it would not withdraw
            String users = NodeWithdrawal.users(redis.config().prefix(), node);
            redis.async("users of a node", onFailure, users, c -> c.sadd(users, user));
            redis.async("connections of a user", onFailure, key, c -> c.hset(key, node, Integer.toString(connections)));
        } else {
            redis.async("connections of a user", onFailure, key, c -> c.hdel(key, node));
        }
    }

    /** Blocking: the other live nodes that hold {@code user}, with its connections on each (one read of its hash). */
    Map<String, Integer> elsewhere(String user) throws StoreUnavailable {
        Map<String, String> fields = redis.call(redis.userKey(user), c -> c.hgetall(redis.userKey(user)));
        Set<String> live = alive.get();
        Map<String, Integer> nodes = new HashMap<>();
        fields.forEach((n, count) -> {
            if (!n.equals(node) && live.contains(n)) {
                nodes.put(n, Integer.parseInt(count));
            }
        });
        return nodes;
    }

    /** Blocking: {@code user}'s connections on each live node, this one included. */
    Map<String, Integer> connectionsByNode(String user) throws StoreUnavailable {
        Map<String, String> fields = redis.call(redis.userKey(user), c -> c.hgetall(redis.userKey(user)));
        Set<String> live = alive.get();
        Map<String, Integer> byNode = new TreeMap<>();
        fields.forEach((n, count) -> {
            if (live.contains(n) || n.equals(node)) {
                byNode.put(n, Integer.parseInt(count));
            }
        });
        return byNode;
    }

    /** Never waits: {@code frame} to {@code user}'s connections on the other nodes. */
    void direct(String user, String frame) {
        toNodesOf("direct message", user, directMessage(user, frame));
    }

    /** Blocking: one read of the user's hash, then {@code frame} on the channel of each other node that holds the user. */
    int directElsewhere(String user, String frame) throws StoreUnavailable {
        Map<String, Integer> nodes = elsewhere(user);
        nodes.keySet().forEach(n -> redis.publishAsync("direct message", redis.nodeChannel(n), directMessage(user, frame)));
        return nodes.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Never waits: closes {@code user}'s connections on the other nodes. */
    void disconnect(String user, int code, String reason) {
        toNodesOf("disconnect", user, Codec.json().createObjectBuilder().add("kind", "disconnect").add("node", node)
                .add("user", user).add("code", code).add("reason", reason == null ? "" : reason).build().toString());
    }

    private String directMessage(String user, String frame) {
        return Codec.json().createObjectBuilder().add("kind", "direct").add("node", node).add("user", user)
                .add("frame", frame).build().toString();
    }

    /**
     * Never waits: {@code message} on the channel of every other node in {@code user}'s hash (each node's channel on
     * its own server when there are several).
     */
    private void toNodesOf(String what, String user, String message) {
        redis.async(what, null, redis.userKey(user), c -> c.hgetall(redis.userKey(user)).thenAccept(nodes -> nodes.keySet()
                .stream().filter(n -> !n.equals(node))
                .forEach(n -> redis.publishAsync(what, redis.nodeChannel(n), message))));
    }
}
