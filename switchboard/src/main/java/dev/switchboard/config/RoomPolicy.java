package dev.switchboard.config;

import java.time.Duration;

/**
 * How a room keeps history and treats slow members. A room's class is the part of its name before the first
 * {@code :} ({@code ticker:EURUSD} is of class {@code ticker}); a class without settings of its own uses the
 * defaults. Settings: {@code switchboard.room-class.<class>.history.size}, {@code .history.ttl-seconds},
 * {@code .slow-consumer} ({@code disconnect}, {@code drop-oldest}, {@code conflate}), {@code .max-members},
 * {@code .presence.max-members}, {@code .rewind}, {@code .history.page-max}.
 *
 * @param historyMaxBytes    bound of the room's history in estimated heap bytes (2 per character of each recorded
 *                           frame, plus its entry): the oldest publications go first; 0: none
 *                           ({@code .history.max-bytes})
 * @param presenceMaxMembers above this many members a room announces no presence: no {@code presence_diff}, no
 *                           {@code presence} list in {@code joined} (each join would otherwise cost a frame to every
 *                           member, O(n²) in a join storm); the {@code presence} query still answers. 0: no limit
 * @param rewind             how many of the room's latest publications a join gets right after {@code joined} when it
 *                           asks for none itself ({@code join.rewind} absent): a {@code ticker:} room hands its last
 *                           value to a newcomer with 1; 0: none
 * @param historyPageMax     the most publications one {@code history} page (and one {@code rewind}) holds
 */
public record RoomPolicy(int historySize, Duration historyTtl, SlowConsumerPolicy slowConsumer, int maxMembers,
                         int presenceMaxMembers, long historyMaxBytes, int rewind, int historyPageMax) {

    /** The default bound of a history page: 100 publications. */
    public static final int HISTORY_PAGE_MAX = 100;

    public RoomPolicy(int historySize, Duration historyTtl, SlowConsumerPolicy slowConsumer, int maxMembers,
                      int presenceMaxMembers, long historyMaxBytes) {
        this(historySize, historyTtl, slowConsumer, maxMembers, presenceMaxMembers, historyMaxBytes, 0, HISTORY_PAGE_MAX);
    }

    /** The default presence limit: rooms of up to 1 000 members announce presence. */
    public static final int PRESENCE_MAX_MEMBERS = 1000;
    /** The default bound of a room's history in (estimated heap) bytes: 4 MiB. */
    public static final long HISTORY_MAX_BYTES = 4L * 1024 * 1024;

    public RoomPolicy(int historySize, Duration historyTtl, SlowConsumerPolicy slowConsumer, int maxMembers,
                      int presenceMaxMembers) {
        this(historySize, historyTtl, slowConsumer, maxMembers, presenceMaxMembers, HISTORY_MAX_BYTES);
    }

    public RoomPolicy(int historySize, Duration historyTtl, SlowConsumerPolicy slowConsumer, int maxMembers) {
        this(historySize, historyTtl, slowConsumer, maxMembers, PRESENCE_MAX_MEMBERS);
    }
}
