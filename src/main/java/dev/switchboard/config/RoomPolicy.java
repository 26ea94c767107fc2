package dev.switchboard.config;

import java.time.Duration;

/**
 * How a room keeps history and treats slow members. A room's class is the part of its name before the first
 * {@code :} ({@code ticker:EURUSD} is of class {@code ticker}); a class without settings of its own uses the
 * defaults. Settings: {@code switchboard.room-class.<class>.history.size}, {@code .history.ttl-seconds},
 * {@code .slow-consumer} ({@code disconnect}, {@code drop-oldest}, {@code conflate}), {@code .max-members},
 * {@code .presence.max-members}.
 *
 * @param presenceMaxMembers above this many members a room announces no presence: no {@code presence_diff}, no
 *                           {@code presence} list in {@code joined} (each join would otherwise cost a frame to every
 *                           member, O(n²) in a join storm); the {@code presence} query still answers. 0: no limit
 */
public record RoomPolicy(int historySize, Duration historyTtl, SlowConsumerPolicy slowConsumer, int maxMembers,
                         int presenceMaxMembers) {

    /** The default presence limit: rooms of up to 1 000 members announce presence. */
    public static final int PRESENCE_MAX_MEMBERS = 1000;

    public RoomPolicy(int historySize, Duration historyTtl, SlowConsumerPolicy slowConsumer, int maxMembers) {
        this(historySize, historyTtl, slowConsumer, maxMembers, PRESENCE_MAX_MEMBERS);
    }
}
