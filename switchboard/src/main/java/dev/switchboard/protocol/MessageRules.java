package dev.switchboard.protocol;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The field rules of each client message, checked once it is decoded ({@link Codec#decode}): each problem by field
 * name, for the {@code invalid} error's {@code details}.
 */
final class MessageRules {

    static final Pattern USER_NAME = Pattern.compile("[^\\p{Cntrl}]{1,128}");
    static final Pattern METHOD_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    /** The most a {@code history} page or a {@code rewind} may ask for; a room's own bound may be lower. */
    static final int MAX_PAGE = 10_000;

    private MessageRules() {
    }

    /** Field problems of a decoded message, by field name; empty when it is valid. */
    static Map<String, String> problems(ClientMessage message) {
        Map<String, String> problems = new LinkedHashMap<>();
        if (message instanceof ClientMessage.Join m) {
            room(m.room(), problems);
            since(m.since(), problems);
            if (m.rewind() != null && (m.rewind() < 0 || m.rewind() > MAX_PAGE)) {
                problems.put("rewind", "an integer from 0 to " + MAX_PAGE + " (and at most the room's history.page-max)");
            }
            filter(m.filter(), problems);
        } else if (message instanceof ClientMessage.HistoryQuery m) {
            room(m.room(), problems);
            since(m.since(), problems);
            if (m.limit() != null && (m.limit() < 1 || m.limit() > MAX_PAGE)) {
                problems.put("limit", "an integer from 1 to " + MAX_PAGE + " (and at most the room's history.page-max)");
            }
            filter(m.filter(), problems);
        } else if (message instanceof ClientMessage.Leave m) {
            room(m.room(), problems);
        } else if (message instanceof ClientMessage.Publish m) {
            room(m.room(), problems);
            if (m.data() == null) {
                problems.put("data", "required (any JSON value)");
            }
            if (m.key() != null && !Codec.isPublishKey(m.key())) {
                problems.put("key", "1-64 characters of letters, digits and _ . : -");
            }
            if (m.tags() != null && Tags.problem(m.tags()) != null) {
                problems.put("tags", Tags.RULE);
            }
        } else if (message instanceof ClientMessage.Send m) {
            if (m.to() == null || !USER_NAME.matcher(m.to()).matches()) {
                problems.put("to", "required: a user name of 1-128 characters");
            }
            if (m.data() == null) {
                problems.put("data", "required (any JSON value)");
            }
        } else if (message instanceof ClientMessage.Request m) {
            if (m.method() == null || !METHOD_NAME.matcher(m.method()).matches()) {
                problems.put("method", "required: 1-64 characters of letters, digits and _ . : -");
            }
        } else if (message instanceof ClientMessage.PresenceQuery m) {
            room(m.room(), problems);
        } else if (message instanceof ClientMessage.OccupancyQuery m) {
            room(m.room(), problems);
        } else if (message instanceof ClientMessage.Refresh m) {
            if (m.credential() == null || !(m.credential().startsWith("bearer.") || m.credential().startsWith("ticket."))
                    || m.credential().length() > 8192) {
                problems.put("credential", "required: bearer.<token> or ticket.<ticket>, at most 8192 characters");
            }
        } else if (message instanceof ClientMessage.Reply m) {
            if (m.re() == null || m.re().isEmpty() || m.re().length() > Codec.MAX_ID_LENGTH) {
                problems.put("re", "required: the id of the server's request");
            }
            if (m.error() != null && !METHOD_NAME.matcher(m.error()).matches()) {
                problems.put("error", "an error code: 1-64 characters of letters, digits and _ . : -");
            }
        }
        return problems;
    }

    private static void filter(jakarta.json.JsonValue filter, Map<String, String> problems) {
        if (TagFilter.problem(filter) != null) {
            problems.put("filter", TagFilter.RULE);
        }
    }

    private static void since(ClientMessage.Since since, Map<String, String> problems) {
        if (since != null && (since.offset() == null || since.offset() < 0 || since.epoch() == null)) {
            problems.put("since", "needs epoch (string) and offset (integer >= 0)");
        }
    }

    private static void room(String room, Map<String, String> problems) {
        if (!RoomNames.isValid(room)) {
            problems.put("room", "required: 1-128 characters of letters, digits and _ . : @ -");
        }
    }
}
