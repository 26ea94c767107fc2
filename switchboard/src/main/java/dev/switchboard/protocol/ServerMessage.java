package dev.switchboard.protocol;

import dev.switchboard.Switchboard.Member;
import jakarta.json.JsonValue;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import java.util.List;
import java.util.Map;

/**
 * What the server sends: one JSON object per text frame, discriminated by {@code type}. Null fields are omitted
 * on the wire. {@code re} is the correlation id of the client message being answered.
 */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "welcome", type = ServerMessage.Welcome.class),
        @JsonbSubtype(alias = "joined", type = ServerMessage.Joined.class),
        @JsonbSubtype(alias = "left", type = ServerMessage.Left.class),
        @JsonbSubtype(alias = "ack", type = ServerMessage.Ack.class),
        @JsonbSubtype(alias = "message", type = ServerMessage.Message.class),
        @JsonbSubtype(alias = "direct", type = ServerMessage.Direct.class),
        @JsonbSubtype(alias = "reply", type = ServerMessage.Reply.class),
        @JsonbSubtype(alias = "presence", type = ServerMessage.Presence.class),
        @JsonbSubtype(alias = "presence_diff", type = ServerMessage.PresenceDiff.class),
        @JsonbSubtype(alias = "history", type = ServerMessage.History.class),
        @JsonbSubtype(alias = "occupancy", type = ServerMessage.Occupancy.class),
        @JsonbSubtype(alias = "pong", type = ServerMessage.Pong.class),
        @JsonbSubtype(alias = "error", type = ServerMessage.Error.class),
        @JsonbSubtype(alias = "request", type = ServerMessage.Request.class),
        @JsonbSubtype(alias = "log", type = ServerMessage.Log.class),
        @JsonbSubtype(alias = "stats", type = ServerMessage.Stats.class),
        @JsonbSubtype(alias = "refreshed", type = ServerMessage.Refreshed.class)
})
public sealed interface ServerMessage {

    /** Limits the client must respect; announced in {@link Welcome}. */
    record Limits(int maxMessageBytes, int maxIdLength, int ratePerSecond, int rateBurst) {
    }

    /**
     * Right after open on {@code /ws}. {@code expiresInMs}: how long the connection's credentials still hold (absent:
     * they do not expire); refresh them before ({@code refresh}) or the connection is closed with 4001.
     */
    record Welcome(String session, String user, long heartbeatMs, String protocol, Limits limits, Long expiresInMs)
            implements ServerMessage {
        public Welcome(String session, String user, long heartbeatMs, String protocol, Limits limits) {
            this(session, user, heartbeatMs, protocol, limits, null);
        }
    }

    /**
     * Answer to {@code join}. {@code offset} is the room's latest offset at the time of the join; when the join
     * carried {@code since}, {@code recovered} says whether every missed message follows.
     */
    record Joined(String re, String room, String epoch, long offset, Boolean recovered, List<Member> presence)
            implements ServerMessage {
    }

    record Left(String re, String room) implements ServerMessage {
    }

    /** Answer to {@code publish} ({@code room}, {@code offset} set) and to {@code send} (both null). */
    record Ack(String re, String room, Long offset) implements ServerMessage {
    }

    /**
     * A publication in a joined room. {@code from} is null for server-side publications; {@code tags} null when it
     * has none.
     */
    record Message(String room, String epoch, long offset, String from, long ts, JsonValue data, Map<String, String> tags)
            implements ServerMessage {
    }

    record Direct(String from, JsonValue data) implements ServerMessage {
    }

    record Reply(String re, JsonValue data) implements ServerMessage {
    }

    record Presence(String re, String room, List<Member> members) implements ServerMessage {
    }

    record PresenceDiff(String room, List<String> joins, List<String> leaves) implements ServerMessage {
    }

    /** Answer to {@code occupancy}: how many users are in the room on every node, with how many connections. */
    record Occupancy(String re, String room, int users, int connections) implements ServerMessage {
    }

    /**
     * Answer to {@code history}: the room's epoch and latest offset now, and the page's publications. {@code recovered}
     * (when asked with {@code since}): whether they continue right after it; false when {@code since} is of another
     * epoch, ahead of the log or older than what is kept (the page then starts from the oldest kept).
     */
    record History(String re, String room, String epoch, long offset, Boolean recovered,
                   List<dev.switchboard.Switchboard.HistoryEntry> publications) implements ServerMessage {
    }

    record Pong(String re) implements ServerMessage {
    }

    /** The server asks the client something; the client answers with {@code reply {re: id, data}} or an error. */
    record Request(String id, String method, JsonValue data) implements ServerMessage {
    }

    /** A line of the server's log, pushed to {@code /ws/monitor}. {@code level} is the JUL level name. */
    record Log(long ts, String level, String logger, String message) implements ServerMessage {
    }

    /**
     * The node's counters, pushed to {@code /ws/monitor} once a second: current connections, rooms and queued
     * messages; totals since start of messages received, publications, frames sent, dropped publications and
     * connections closed as slow consumers or for missed heartbeats.
     */
    record Stats(long ts, int connections, int rooms, long messagesIn, long publications, long messagesOut,
                 long dropped, long slowConsumerCloses, long heartbeatCloses, long queuedMessages,
                 int maxQueuedMessages, long sendP99Micros, String cluster, int nodes)
            implements ServerMessage {
    }

    /**
     * Answer to {@code refresh}: the new credentials hold until {@code expiresAt} (epoch millis), that is for
     * {@code expiresInMs} more (free of clock skew); both absent: they do not expire.
     */
    record Refreshed(String re, Long expiresAt, Long expiresInMs) implements ServerMessage {
    }

    record Error(String re, String code, String message, Map<String, String> details) implements ServerMessage {
    }
}
