package dev.switchboard.cluster;

import dev.switchboard.protocol.Codec;
import io.lettuce.core.ScriptOutputType;
import jakarta.json.JsonObjectBuilder;
import java.util.List;
import java.util.Set;

/**
 * Withdraws a node from the cluster — one found dead by a heartbeat, or one stopping — and leaves what it held for one
 * survivor ({@link LostNode}). Keys, under the prefix: {@code prefix:{nodes}} sorted set (node → its latest heartbeat,
 * Redis' clock) and {@code prefix:{nodes}:lost} list (the records), one hash tag for the heartbeat script;
 * {@code prefix:{node:<node>}:rooms} and {@code :users} sets (what the node registered, to withdraw).
 *
 * <p>Once: only the call that removes the node from the live set goes on (so two survivors never both tell), room by
 * room ({@code leave.lua}: each room's presence is in the room's slot on Redis Cluster). A withdrawer that dies half
 * way leaves presence entries of a node no longer live, which every node ignores ({@link RedisCluster#remotePresence}).
 */
final class NodeWithdrawal {

    private static final long LOST_TTL_SECONDS = 86_400;

    private NodeWithdrawal() {
    }

    static String nodes(String prefix) {
        return prefix + ":{nodes}";
    }

    static String lost(String prefix) {
        return prefix + ":{nodes}:lost";
    }

    static String rooms(String prefix, String node) {
        return prefix + ":{node:" + node + "}:rooms";
    }

    static String users(String prefix, String node) {
        return prefix + ":{node:" + node + "}:users";
    }

    /** Blocking: withdraws {@code node}'s members and users; false when another call did (or it was not live). */
    static boolean withdraw(Redis redis, String node) throws StoreUnavailable {
        String prefix = redis.config().prefix();
        if (redis.call(nodes(prefix), c -> c.zrem(nodes(prefix), node)) == 0) {
            return false;
        }
        Set<String> rooms = redis.call(rooms(prefix, node), c -> c.smembers(rooms(prefix, node)));
        JsonObjectBuilder held = Codec.json().createObjectBuilder();
        for (String room : rooms) {
            List<String> members = redis.eval(RedisScript.LEAVE, ScriptOutputType.MULTI,
                    new String[] {prefix + ":{" + room + "}:presence"}, node, redis.roomChannel(room), room,
                    redis.publishCommand());
            if (!members.isEmpty()) {
                held.add(room, Codec.json().createArrayBuilder(members));
            }
        }
        Set<String> users = redis.call(users(prefix, node), c -> c.smembers(users(prefix, node)));
        for (String user : users) {
            redis.call(redis.userKey(user), c -> c.hdel(redis.userKey(user), node));
        }
        redis.call(rooms(prefix, node), c -> c.del(rooms(prefix, node), users(prefix, node)));
        if (!users.isEmpty()) {
            String record = Codec.json().createObjectBuilder().add("node", node)
                    .add("users", Codec.json().createArrayBuilder(users)).add("rooms", held).build().toString();
            redis.call(lost(prefix), c -> c.rpush(lost(prefix), record));
            redis.call(lost(prefix), c -> c.expire(lost(prefix), LOST_TTL_SECONDS));
        }
        return true;
    }
}
