package com.example.helpdesk;

import dev.switchboard.SwitchboardEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** Who is watching the tickets now: the application observes Switchboard's events like any other CDI event. */
@ApplicationScoped
public class AgentsOnline {

    /** Connection id → user, for the connections in {@link Tickets#AGENTS_ROOM}. */
    private final Map<String, String> watching = new ConcurrentHashMap<>();

    void joined(@Observes SwitchboardEvent.RoomJoined event) {
        if (Tickets.AGENTS_ROOM.equals(event.room())) {
            watching.put(event.connection(), event.user());
        }
    }

    void left(@Observes SwitchboardEvent.RoomLeft event) {
        if (Tickets.AGENTS_ROOM.equals(event.room())) {
            watching.remove(event.connection());
        }
    }

    void closed(@Observes SwitchboardEvent.ConnectionClosed event) {
        watching.remove(event.connection());
    }

    public Set<String> users() {
        return new TreeSet<>(watching.values());
    }
}
