package dev.switchboard.protocol;

/** The {@code code} of an {@code error} reply. The connection stays open after every one of them. */
public final class ErrorCode {
    /** The frame is not a JSON object. */
    public static final String BAD_JSON = "bad_json";
    /** {@code type} is missing or not one of the protocol's. */
    public static final String UNKNOWN_TYPE = "unknown_type";
    /** A field is missing, of the wrong type, or out of bounds; {@code details} names each one. */
    public static final String INVALID = "invalid";
    /** The room is not joined by this connection. */
    public static final String NOT_JOINED = "not_joined";
    public static final String FORBIDDEN = "forbidden";
    /** The connection sends faster than its rate limit: the message was not processed. */
    public static final String RATE_LIMITED = "rate_limited";
    /** The room has as many members as its class allows. */
    public static final String ROOM_FULL = "room_full";
    /** This connection has joined as many rooms as allowed. */
    public static final String TOO_MANY_ROOMS = "too_many_rooms";
    /** The room does not exist on this node and the node holds as many rooms as it may ({@code switchboard.max-rooms}). */
    public static final String NODE_FULL = "node_full";
    /** The server is shutting down: the publish was not accepted; reconnect (to this node when back, or another) and retry. */
    public static final String UNAVAILABLE = "unavailable";
    /** {@code send} to a user with no open connection. */
    public static final String UNKNOWN_USER = "unknown_user";
    /** {@code request} for a method no handler answers. */
    public static final String UNKNOWN_METHOD = "unknown_method";
    /** HTTP API: no credentials, or credentials (a key, a token) that are not valid (401). */
    public static final String UNAUTHENTICATED = "unauthenticated";
    /** HTTP API: the body is larger than {@code switchboard.max-message-bytes} (413). */
    public static final String TOO_BIG = "too_big";
    /** {@code refresh}: the new credentials are not valid, or name another user; the connection goes on with the old ones. */
    public static final String BAD_CREDENTIALS = "bad_credentials";
    /** The application's handler (or the client asked by a server request) did not answer in time. */
    public static final String TIMEOUT = "timeout";
    /** Every thread for the application's handlers is at work ({@code switchboard.handlers.threads}): try again. */
    public static final String BUSY = "busy";
    /** An unexpected server failure; logged on the server with its cause under the incident id the message names. */
    public static final String INTERNAL = "internal";

    private ErrorCode() {
    }
}
