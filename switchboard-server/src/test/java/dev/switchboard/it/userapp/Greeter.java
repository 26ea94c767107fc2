package dev.switchboard.it.userapp;

import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.Json;

/** A user's own bean in a micro-deployment (KitIT): greets everyone who joins a {@code lobby:} room. */
@ApplicationScoped
public class Greeter {

    @Inject
    Switchboard switchboard;

    void joined(@Observes SwitchboardEvent.RoomJoined event) {
        if (event.room().startsWith("lobby:")) {
            switchboard.publish(event.room(), Json.createObjectBuilder().add("greeting", "welcome, " + event.user()).build());
        }
    }
}
