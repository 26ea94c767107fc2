package dev.switchboard.server;

import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.util.TreeSet;

/**
 * The standalone server's reaction to a lost node: it tells room {@code demo:cluster} which node is gone and whom it
 * held (an application would mark those users offline). Fired on one surviving node only, so it is said once.
 */
@ApplicationScoped
public class ClusterNotices {

    public static final String ROOM = "demo:cluster";

    @Inject
    Switchboard switchboard;

    void lost(@Observes SwitchboardEvent.NodeLost event) {
        JsonObjectBuilder rooms = Json.createObjectBuilder();
        event.rooms().forEach((room, members) -> rooms.add(room, Json.createArrayBuilder(new TreeSet<>(members))));
        switchboard.publish(ROOM, Json.createObjectBuilder().add("event", "node_lost").add("node", event.node())
                .add("users", Json.createArrayBuilder(new TreeSet<>(event.users()))).add("rooms", rooms).build());
    }
}
