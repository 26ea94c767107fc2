package dev.switchboard;

/**
 * The application's own rules for some rooms: implement it as a CDI bean ({@code @ApplicationScoped}); Switchboard
 * finds every bean of this type at startup. It is asked before a member joins and before a member's publication goes
 * out, and told when a member has left. Rooms no handler claims behave as without one, at no cost.
 * <pre>{@code
 * @ApplicationScoped
 * class OrderRooms implements RoomHandler<OrderNote> {
 *     public String rooms() { return "orders:*"; }
 *     public Class<OrderNote> type() { return OrderNote.class; }
 *     public void onJoin(RoomCall call) {
 *         if (!orders.visibleTo(call.key(), call.user())) throw new Rejection("not_on_order", "not your order");
 *     }
 *     public Object onPublish(RoomCall call, OrderNote note) { return note.stampedBy(call.user()); }
 * }
 * }</pre>
 *
 * <p><b>Which thread.</b> Each call runs on a thread of Switchboard's handler pool, made by the container's default
 * managed thread factory (the application's naming context: {@code java:comp} lookups and the application's JPA beans
 * work there — tested), while the connection that sent the message waits, so that its messages stay in
 * order. No room's lock is held during a call, and other connections and rooms go on. A call that takes longer than
 * {@code switchboard.handlers.timeout-ms} (default 5000) answers {@code timeout} and its result is discarded.
 *
 * <p><b>Answers.</b> A publication's payload is decoded into {@link #type()} with JSON-B and validated with Bean
 * Validation (its constraints and {@code @Valid} cascades) before {@link #onPublish} sees it: a payload that does not
 * decode or validate answers {@code invalid}, with {@code details} naming each property and its message. Throw
 * {@link Rejection} for the application's own typed refusal. Any other exception answers {@code internal} with an
 * incident id, logged on the server with its cause; the connection is never closed for it.
 *
 * @param <T> the publications' payload: a record (or class) JSON-B maps; {@code jakarta.json.JsonValue} for any JSON
 */
public interface RoomHandler<T> {

    /**
     * The rooms this handler rules: a room name ({@code lobby}), or a room class ({@code orders:*}: every room whose
     * name starts with {@code orders:}). A name wins over a class; two handlers for the same pattern fail the
     * deployment.
     */
    String rooms();

    /** The type a publication's payload decodes into. */
    Class<T> type();

    /** Before a member joins (after Switchboard's own authorization): return to allow, throw {@link Rejection} to refuse. */
    default void onJoin(RoomCall call) {
    }

    /**
     * Before a member's publication goes out (after authorization, decoding and validation): return what is published
     * — {@code payload} itself, a transformed or enriched object (encoded with JSON-B), or a {@code JsonValue}; throw
     * {@link Rejection} to refuse it. Publications made by the application ({@link Switchboard#publish}) do not pass
     * here.
     */
    default Object onPublish(RoomCall call, T payload) {
        return payload;
    }

    /**
     * After a member left: by {@code leave}, removed by an operator, or with its connection closed. Runs on the
     * handler pool without anyone waiting; what it throws is logged.
     */
    default void onLeave(RoomCall call) {
    }
}
