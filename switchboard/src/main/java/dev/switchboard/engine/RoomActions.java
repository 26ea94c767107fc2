package dev.switchboard.engine;

import dev.switchboard.CloseCodes;
import dev.switchboard.Switchboard;
import dev.switchboard.Switchboard.Publication;
import dev.switchboard.SwitchboardEvent;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import dev.switchboard.protocol.ClientMessage;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.ServerMessage;
import dev.switchboard.protocol.TagFilter;
import dev.switchboard.protocol.Tags;
import dev.switchboard.security.RoomAuthorizer;
import jakarta.json.JsonValue;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a connection does to a room, once the dispatcher admitted the message: join (with recovery), leave, publish,
 * ask for presence; a plain room connection's frames; an operator's removal. Each is authorized by the
 * {@link RoomAuthorizer}, then put to the application's {@link RoomRules} (outside the room's lock), and answered with
 * a typed reply ({@link Replies}).
 */
final class RoomActions {

    private final Settings settings;
    private final Rooms rooms;
    private final Dispatcher.Messaging messaging;
    private final RoomAuthorizer authorizer;
    private final Consumer<SwitchboardEvent> events;
    private final Replies replies;
    private final RoomHistory history;
    /** The application's rules; set once, at construction (see {@link Dispatcher#ruleRoomsWith}). */
    private volatile RoomRules rules = RoomRules.NONE;

    RoomActions(Settings settings, Rooms rooms, Dispatcher.Messaging messaging, RoomAuthorizer authorizer,
                Consumer<SwitchboardEvent> events, Replies replies, RoomHistory history) {
        this.settings = settings;
        this.history = history;
        this.rooms = rooms;
        this.messaging = messaging;
        this.authorizer = authorizer;
        this.events = events;
        this.replies = replies;
    }

    void ruleWith(RoomRules rules) {
        this.rules = rules;
    }

    /** The rules' refusal answered to {@code connection}; true when refused. */
    private boolean refused(Connection connection, String re, RoomRules.Verdict verdict) {
        if (verdict instanceof RoomRules.Refused no) {
            replies.send(connection, new ServerMessage.Error(re, no.code(), no.message(),
                    no.details().isEmpty() ? null : no.details()));
            return true;
        }
        return false;
    }

    /** Tells the rules that {@code connection} left {@code room}, when they govern it. */
    void left(Connection connection, String room) {
        RoomRules current = rules;
        if (current.governs(room)) {
            current.left(connection.caller(), connection.id(), room);
        }
    }

    /**
     * An operator's removal: the connections here of {@code user} (null: of every member) leave {@code room}. A
     * {@code /ws} connection is told with {@code left} without {@code re}; a plain room connection, which has no room
     * without it, is closed with 4403. Returns how many connections were removed.
     */
    int removeFromRoom(String name, String user) {
        Room room = rooms.get(name);
        if (room == null) {
            return 0;
        }
        int removed = 0;
        for (Connection member : room.members()) {
            if (user != null && !user.equals(member.user())) {
                continue;
            }
            if (member.kind() == Connection.Kind.ROOM) {
                member.close(CloseCodes.FORBIDDEN, "removed from room '" + name + "' by an operator");
                removed++;
            } else if (room.leave(member)) {
                replies.send(member, new ServerMessage.Left(null, name));
                events.accept(new SwitchboardEvent.RoomLeft(name, member.id(), member.user()));
                left(member, name);
                removed++;
            }
        }
        return removed;
    }

    /**
     * Joins {@code room}: null when joined; otherwise the error code it was answered with ({@code forbidden},
     * {@code too_many_rooms}, {@code room_full}, {@code node_full}, or the application's rules' own code).
     */
    String join(Connection connection, String re, String room, String sinceEpoch, Long sinceOffset, Integer rewind,
                TagFilter filter) {
        if (!authorizer.allows(connection.caller(), RoomAuthorizer.Action.JOIN, room)) {
            replies.send(connection, Replies.forbidden(re, "join", room));
            return ErrorCode.FORBIDDEN;
        }
        int maxRooms = settings.limits().roomsPerConnection();
        if (maxRooms > 0 && connection.roomCount() >= maxRooms && !connection.inRoom(room)) {
            replies.send(connection, new ServerMessage.Error(re, ErrorCode.TOO_MANY_ROOMS,
                    "a connection may join at most " + maxRooms + " rooms; leave one first", Map.of("room", "too many rooms")));
            return ErrorCode.TOO_MANY_ROOMS;
        }
        RoomRules current = rules;
        if (current.governs(room) && !connection.inRoom(room)) {
            RoomRules.Verdict verdict = current.join(connection.caller(), connection.id(), room);
            if (refused(connection, re, verdict)) {
                return ((RoomRules.Refused) verdict).code();
            }
        }
        Room.JoinResult result;
        do { // a room retired by the sweep between lookup and join is replaced by a new one
            Room target = rooms.getOrCreate(room);
            if (target == null) {
                replies.send(connection, new ServerMessage.Error(re, ErrorCode.NODE_FULL, "this server holds as many rooms as it"
                        + " may; try again later", Map.of("room", "no room for it on this node")));
                return ErrorCode.NODE_FULL;
            }
            result = target.join(connection, re, sinceEpoch, sinceOffset, rewind(target.policy(), rewind), filter,
                    System.currentTimeMillis());
            if (result.retired()) {
                rooms.retired(target);
            }
        } while (result.retired());
        if (result.full()) {
            replies.send(connection, new ServerMessage.Error(re, ErrorCode.ROOM_FULL, "room '" + room + "' is full",
                    Map.of("room", "full")));
            return ErrorCode.ROOM_FULL;
        }
        if (result.added()) {
            events.accept(new SwitchboardEvent.RoomJoined(room, connection.id(), connection.user()));
        }
        return null;
    }

    void leave(Connection connection, ClientMessage.Leave m) {
        Room room = rooms.get(m.room());
        if (room == null || !room.leave(connection)) {
            replies.send(connection, Replies.notJoined(m.id(), m.room()));
            return;
        }
        replies.send(connection, new ServerMessage.Left(m.id(), m.room()));
        events.accept(new SwitchboardEvent.RoomLeft(m.room(), connection.id(), connection.user()));
        left(connection, m.room());
    }

    void publish(Connection connection, ClientMessage.Publish m) {
        Room room = rooms.get(m.room());
        if (room == null || !room.contains(connection)) {
            replies.send(connection, Replies.notJoined(m.id(), m.room()));
            return;
        }
        if (!authorizer.allows(connection.caller(), RoomAuthorizer.Action.PUBLISH, m.room())) {
            replies.send(connection, Replies.forbidden(m.id(), "publish to", m.room()));
            return;
        }
        JsonValue data = m.data();
        RoomRules current = rules;
        if (current.governs(m.room())) {
            RoomRules.Verdict verdict = current.publish(connection.caller(), connection.id(), m.room(), data);
            if (refused(connection, m.id(), verdict)) {
                return;
            }
            data = ((RoomRules.Allowed) verdict).data();
        }
        // a key is the publisher's own: another user's equal key is another key. Guests get a new name on every
        // connection, so their keys share one scope (a key is random: another guest cannot guess it), or a guest's
        // retry after a reconnect would publish again
        String key = m.key() == null ? null
                : (connection.caller().anonymous() ? "guest" : "user " + connection.user()) + " " + m.key();
        RoomLog.Published published = messaging.publish(room, m.room(), connection.user(), data, Tags.of(m.tags()), key);
        if (published == null) {
            replies.send(connection, new ServerMessage.Error(m.id(), ErrorCode.UNAVAILABLE,
                    "the server is shutting down: reconnect and publish again", null));
            return;
        }
        Publication publication = published.publication();
        replies.send(connection, new ServerMessage.Ack(m.id(), publication.room(), publication.offset()));
    }

    void presence(Connection connection, ClientMessage.PresenceQuery m) {
        Room room = rooms.get(m.room());
        if (room == null || !room.contains(connection)) {
            replies.send(connection, Replies.notJoined(m.id(), m.room()));
            return;
        }
        if (!authorizer.allows(connection.caller(), RoomAuthorizer.Action.PRESENCE, m.room())) {
            replies.send(connection, Replies.forbidden(m.id(), "see who is in", m.room()));
            return;
        }
        replies.send(connection, new ServerMessage.Presence(m.id(), m.room(), room.presence()));
    }

    /** How many users are in a room, on every node; authorized as presence, membership not needed. */
    void occupancy(Connection connection, ClientMessage.OccupancyQuery m) {
        if (!authorizer.allows(connection.caller(), RoomAuthorizer.Action.PRESENCE, m.room())) {
            replies.send(connection, Replies.forbidden(m.id(), "count who is in", m.room()));
            return;
        }
        Switchboard.Occupancy now;
        try {
            now = rooms.occupancy(m.room());
        } catch (Switchboard.Refused notNow) {
            replies.send(connection, new ServerMessage.Error(m.id(), notNow.code(), notNow.getMessage(), null));
            return;
        }
        replies.send(connection, new ServerMessage.Occupancy(m.id(), m.room(), now.users(), now.connections()));
    }

    /** How many publications a join rewinds: its own {@code rewind}, else its room class's, at most a page. */
    private static int rewind(dev.switchboard.config.RoomPolicy policy, Integer asked) {
        return Math.min(asked != null ? asked : policy.rewind(), policy.historyPageMax());
    }

    /** A page of a room's history, authorized as a join (membership is not needed). */
    void history(Connection connection, ClientMessage.HistoryQuery m) {
        if (!authorizer.allows(connection.caller(), RoomAuthorizer.Action.JOIN, m.room())) {
            replies.send(connection, Replies.forbidden(m.id(), "read the history of", m.room()));
            return;
        }
        Switchboard.HistoryPage page;
        try {
            page = history.page(m.room(), m.limit() == null ? Integer.MAX_VALUE : m.limit(),
                    m.since() == null ? null : m.since().epoch(), m.since() == null ? null : m.since().offset(),
                    Boolean.TRUE.equals(m.reverse()), TagFilter.fromJson(m.filter()), System.currentTimeMillis());
        } catch (Switchboard.Refused notNow) { // unavailable (the shared log), node_full
            replies.send(connection, new ServerMessage.Error(m.id(), notNow.code(), notNow.getMessage(), null));
            return;
        }
        replies.send(connection, new ServerMessage.History(m.id(), page.room(), page.epoch(), page.offset(),
                page.recovered(), page.publications()));
    }

    // ------------------------------------------------------------------ plain room connections (admitted frames)

    /** A text frame of a plain room connection: published as-is when it is JSON, as a JSON string otherwise. */
    void publishText(Connection connection, String room, String text) {
        if (!authorizer.allows(connection.caller(), RoomAuthorizer.Action.PUBLISH, room)) {
            replies.send(connection, Replies.forbidden(null, "publish to", room));
            return;
        }
        JsonValue parsed = Codec.parseOrNull(text);
        JsonValue data = parsed != null ? parsed : Codec.json().createValue(text);
        RoomRules current = rules;
        if (current.governs(room)) {
            RoomRules.Verdict verdict = current.publish(connection.caller(), connection.id(), room, data);
            if (refused(connection, null, verdict)) {
                return;
            }
            data = ((RoomRules.Allowed) verdict).data();
        }
        messaging.publish(null, room, connection.user(), data, null, null);
    }

    /** A binary frame of a plain room connection: fanned out to the room's plain connections, not recorded. */
    void publishBinary(String room, ByteBuffer data) {
        Room target = rooms.get(room);
        if (target == null) {
            return;
        }
        // a copy the recipients share: the container may reuse the buffer it handed us once this returns; one item in
        // every queue, so the node's budget counts it once
        Outbound shared = new Outbound.Binary(ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip());
        for (Connection member : target.members()) {
            if (member.kind() == Connection.Kind.ROOM) {
                member.enqueue(shared, SlowConsumerPolicy.DISCONNECT);
            }
        }
    }
}
