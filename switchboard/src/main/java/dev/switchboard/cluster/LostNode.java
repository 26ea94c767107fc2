package dev.switchboard.cluster;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * What a node gone from the cluster held, as {@link NodeWithdrawal} leaves it in Redis for one survivor: its users, and
 * each room's members there. A list may come as an empty object (records written by Lua's cjson, before 0.9).
 */
record LostNode(String node, Set<String> users, Map<String, Set<String>> rooms) {

    private static final Logger LOG = Logger.getLogger(LostNode.class.getName());

    /** Tells {@code listener} what the node of {@code record} held; a record that cannot be read is logged. */
    static void tell(String record, Cluster.Listener listener) {
        try {
            LostNode gone = read(record);
            LOG.log(Level.INFO, "Node {0} is gone with {1} users: telling the application here (NodeLost)",
                    new Object[] {gone.node(), gone.users().size()});
            listener.nodeLost(gone.node(), gone.users(), gone.rooms());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "A lost node's record could not be read or told: " + record, e);
        }
    }

    static LostNode read(String record) {
        JsonObject held = Json.createReader(new StringReader(record)).readObject();
        Map<String, Set<String>> rooms = new HashMap<>();
        if (held.get("rooms") instanceof JsonObject byRoom) {
            byRoom.forEach((room, members) -> rooms.put(room, strings(members)));
        }
        return new LostNode(held.getString("node"), strings(held.get("users")), Map.copyOf(rooms));
    }

    private static Set<String> strings(JsonValue value) {
        return value instanceof JsonArray array
                ? array.getValuesAs(JsonString.class).stream().map(JsonString::getString).collect(Collectors.toUnmodifiableSet())
                : Set.of();
    }
}
