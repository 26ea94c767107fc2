package dev.switchboard.web;

import dev.switchboard.config.Settings;
import dev.switchboard.engine.Connection;
import dev.switchboard.engine.Sessions;
import dev.switchboard.protocol.ClientMessage;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.RoomNames;
import dev.switchboard.protocol.ServerMessage;
import dev.switchboard.security.ApiAccess;
import dev.switchboard.security.Caller;
import dev.switchboard.security.Credentials;
import dev.switchboard.security.OriginPolicy;
import dev.switchboard.security.RoomAuthorizer;
import dev.switchboard.security.SwitchboardAuthenticationMechanism;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Server-Sent Events fallback ({@code GET /sse?room=…&room=…}, docs/PROTOCOL.md "Server-Sent Events"): every
 * publication of those rooms (and the user's direct messages) as an event, for clients whose network blocks WebSocket. The same doors as the socket's
 * handshake — origin, TLS, drain, credentials (a ticket or a bearer in the query, {@code Authorization}, or the
 * container's session when the request is not cross-origin), each room authorized as a join — and the API's rate per
 * caller; then a connection of the engine like any other ({@link EventStreamTransport}), joined to its rooms with the
 * positions a reconnect presents ({@code Last-Event-ID}, or {@code ?since=}). Receive only: publishing goes over the
 * HTTP API.
 */
final class EventStreamServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    /** The engine's name of the endpoint (logs, stats, events). */
    static final String ENDPOINT = "/sse";

    private final transient Sessions sessions;
    private final transient Credentials credentials;
    private final transient ApiAccess access;
    private final transient OriginPolicy origins;

    EventStreamServlet(Sessions sessions, Credentials credentials, ApiAccess access) {
        this.sessions = sessions;
        this.credentials = credentials;
        this.access = access;
        Settings.Origins o = sessions.settings().origins();
        this.origins = new OriginPolicy(o.allowed(), o.allowMissing());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Settings settings = sessions.settings();
        String origin = request.getHeader("Origin");
        if (!request.isSecure() && settings.socket().requireTls()) {
            refuse(response, 403, ErrorCode.FORBIDDEN, "TLS required: use https://", null);
            return;
        }
        if (!origins.allows(origin, request.getScheme(), request.getHeader("Host"))) {
            refuse(response, 403, ErrorCode.FORBIDDEN, "Origin not allowed", null);
            return;
        }
        if (!sessions.admitting()) {
            response.setHeader("Retry-After", "1");
            refuse(response, 503, ErrorCode.UNAVAILABLE, "this node is draining: connect to another", null);
            return;
        }
        String[] asked = request.getParameterValues("room");
        Set<String> rooms = new LinkedHashSet<>(asked == null ? List.of() : List.of(asked));
        int maxRooms = settings.limits().roomsPerConnection() > 0 ? settings.limits().roomsPerConnection() : 64;
        if (rooms.size() > maxRooms || !rooms.stream().allMatch(RoomNames::isValid)) { // none: direct messages only
            refuse(response, 400, ErrorCode.INVALID, "room: at most " + maxRooms + " room names (" + RoomNames.RULE + ")",
                    Map.of("room", "at most " + maxRooms + " valid room names"));
            return;
        }
        Map<String, StreamPositions.Position> since;
        try {
            String presented = request.getHeader("Last-Event-ID");
            since = StreamPositions.parse(presented != null && !presented.isBlank() ? presented : request.getParameter("since"));
        } catch (IllegalArgumentException e) {
            refuse(response, 400, ErrorCode.INVALID, "Last-Event-ID / since: " + e.getMessage(), Map.of("since", "invalid"));
            return;
        }
        Optional<Caller> caller;
        try {
            caller = caller(request, origin);
        } catch (SecurityException refused) {
            if (refused.getMessage().startsWith("401")) {
                response.setHeader("WWW-Authenticate", SwitchboardAuthenticationMechanism.CHALLENGE);
                refuse(response, 401, ErrorCode.UNAUTHENTICATED, refused.getMessage().substring(4), null);
            } else {
                refuse(response, 403, ErrorCode.FORBIDDEN, refused.getMessage().substring(4), null);
            }
            return;
        }
        ApiAccess.ApiCaller who = new ApiAccess.ApiCaller(caller.orElse(new Caller("guest", Set.of(), true, null)), false);
        if (!access.withinRate(caller.isPresent() ? "sse " + who.label() : "sse addr:" + request.getRemoteAddr())) {
            response.setHeader("Retry-After", "1");
            refuse(response, 429, ErrorCode.RATE_LIMITED, "too many event streams opened: slow down", null);
            return;
        }
        for (String room : rooms) {
            if (!access.allows(who, RoomAuthorizer.Action.JOIN, room)) {
                refuse(response, 403, ErrorCode.FORBIDDEN, "may not join " + room, Map.of("room", room));
                return;
            }
        }
        stream(request, response, caller.orElse(null), rooms, since);
    }

    /**
     * The caller: a ticket or a bearer in the query, else what the request's authentication established (its
     * {@code Authorization}, or the container's session — not across origins: a cookie alone would let any page the
     * user visits open the stream); empty for a guest. Throws {@code SecurityException("401 …" | "403 …")}.
     */
    private Optional<Caller> caller(HttpServletRequest request, String origin) {
        String ticket = request.getParameter("ticket");
        String bearer = request.getParameter("access_token");
        if (ticket != null && bearer != null) {
            throw new SecurityException("401 present one credential: ticket or access_token");
        }
        if (ticket != null || bearer != null) {
            return Optional.of(credentials.verify(ticket != null ? "ticket." + ticket : "bearer." + bearer)
                    .orElseThrow(() -> new SecurityException("401 the credential is not valid (forged, expired, used)")));
        }
        if (request.getAttribute(SwitchboardAuthenticationMechanism.REFUSED_ATTRIBUTE) != null) {
            throw new SecurityException("401 the credentials are not valid");
        }
        Caller c = access.callerOf(request);
        if (c != null && request.getHeader("Authorization") == null && origin != null && !sameOrigin(origin, request)) {
            throw new SecurityException("403 a session cookie does not open a stream from another origin: present a"
                    + " ticket (POST /api/tickets) or a bearer");
        }
        if (c == null && !access.guestsMayConnect()) {
            throw new SecurityException("401 sign in: guests may not connect (switchboard.auth.anonymous=false)");
        }
        return Optional.ofNullable(c);
    }

    private static boolean sameOrigin(String origin, HttpServletRequest request) {
        try {
            URI o = URI.create(origin);
            return request.getScheme().equalsIgnoreCase(o.getScheme()) && o.getAuthority() != null
                    && o.getAuthority().equalsIgnoreCase(request.getHeader("Host"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void stream(HttpServletRequest request, HttpServletResponse response, Caller caller, Set<String> rooms,
                        Map<String, StreamPositions.Position> since) throws IOException {
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no"); // nginx: do not buffer the stream
        AsyncContext async = request.startAsync();
        async.setTimeout(0); // the stream lasts as long as the connection: the heartbeat finds a dead peer
        EventStreamTransport transport = new EventStreamTransport(async, response.getOutputStream(), since);
        async.addListener(transport);
        response.getOutputStream().setWriteListener(transport); // from here the writes are non-blocking
        Connection connection = sessions.open(transport, caller, ENDPOINT, false, request.getLocale());
        if (connection == null) {
            response.setStatus(503);
            response.setHeader("Retry-After", "1");
            async.complete();
            return;
        }
        transport.attach(payload -> sessions.pong(connection, payload),
                (code, reason) -> sessions.closed(connection, code, reason));
        for (String room : rooms) {
            StreamPositions.Position at = since.get(room);
            sessions.received(connection, new ClientMessage.Join(null, room,
                    at == null ? null : new ClientMessage.Since(at.epoch(), at.offset()), null, null));
        }
    }

    private static void refuse(HttpServletResponse response, int status, String code, String message,
                               Map<String, String> details) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(Codec.encode(new ServerMessage.Error(null, code, message, details))
                .getBytes(StandardCharsets.UTF_8));
    }
}
