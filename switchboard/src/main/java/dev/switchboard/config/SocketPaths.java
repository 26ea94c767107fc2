package dev.switchboard.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

/**
 * Where Switchboard's WebSocket endpoints are, in the application: {@code switchboard.path} (default {@code /ws}) for
 * the protocol, and under it {@code /rooms/{room}} for plain clients and {@code /monitor} for operators. Read once,
 * at deployment. (The engine keeps naming the endpoints {@code /ws}, {@code /ws/rooms/<room>} and {@code /ws/monitor}
 * in logs and stats, whatever the path.) A path that is not a plain path (absolute, no trailing slash, letters,
 * digits, {@code - _ . /}) fails the deployment with the setting's name.
 */
@ApplicationScoped
public class SocketPaths {

    /** The setting that moves every WebSocket endpoint. */
    public static final String SETTING = "switchboard.path";
    static final String DEFAULT = "/ws";

    /** The setting that moves the Server-Sent Events fallback. */
    public static final String EVENTS_SETTING = "switchboard.sse.path";
    static final String EVENTS_DEFAULT = "/sse";

    private String socket;
    private String events = EVENTS_DEFAULT;

    /** For the container's client proxy. */
    protected SocketPaths() {
    }

    @Inject
    SocketPaths(Config config) {
        this(config.getOptionalValue(SETTING, String.class).orElse(DEFAULT).trim());
        String sse = config.getOptionalValue(EVENTS_SETTING, String.class).orElse(EVENTS_DEFAULT).trim();
        if (!sse.matches("(/[A-Za-z0-9._-]+)+")) {
            throw new IllegalArgumentException(EVENTS_SETTING + " must be a path like /sse (a slash, then letters,"
                    + " digits, '-', '_', '.' and further slashes; no trailing slash), not '" + sse + "'");
        }
        this.events = sse;
    }

    SocketPaths(String socket) {
        if (!socket.matches("(/[A-Za-z0-9._-]+)+")) {
            throw new IllegalArgumentException(SETTING + " must be a path like /ws or /app/live (a slash, then letters,"
                    + " digits, '-', '_', '.' and further slashes; no trailing slash), not '" + socket + "'");
        }
        this.socket = socket;
    }

    /** The protocol's endpoint, {@code switchboard.path}. */
    public String socket() {
        return socket;
    }

    /** The URI template of the plain room endpoint. */
    public String rooms() {
        return socket + "/rooms/{room}";
    }

    /** The Server-Sent Events fallback, {@code switchboard.sse.path} (default {@code /sse}). */
    public String events() {
        return events;
    }

    /** The operators' endpoint. */
    public String monitor() {
        return socket + "/monitor";
    }

    /** Whether {@code path} (the request's, without the context path) is one of Switchboard's endpoints or under them. */
    public boolean covers(String path) {
        return path.startsWith(socket) && (path.length() == socket.length() || path.charAt(socket.length()) == '/');
    }
}
