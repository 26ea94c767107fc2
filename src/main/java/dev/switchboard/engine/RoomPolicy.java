package dev.switchboard.engine;

import java.time.Duration;

/**
 * How a room keeps history and treats slow members. A room's class is the part of its name before the first
 * {@code :} ({@code ticker:EURUSD} is of class {@code ticker}); a class without settings of its own uses the
 * defaults. Settings: {@code switchboard.room-class.<class>.history.size}, {@code .history.ttl-seconds},
 * {@code .slow-consumer} ({@code disconnect}, {@code drop-oldest}, {@code conflate}), {@code .max-members}.
 */
public record RoomPolicy(int historySize, Duration historyTtl, SlowConsumerPolicy slowConsumer, int maxMembers) {

    /** The class of {@code room}: the part before the first {@code :}, or empty when there is none. */
    static String classOf(String room) {
        int colon = room.indexOf(':');
        return colon < 0 ? "" : room.substring(0, colon);
    }
}
