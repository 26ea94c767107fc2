package dev.switchboard.engine;

import java.util.ArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Write-through: while a container thread handles what a peer sent (a request, a publication it fans out, a join), the
 * connections' writers it starts run on that thread once the handling is over — every lock let go — instead of being
 * handed to the writer pool. A reply, or a broadcast to members whose writers were idle, is then sent the way the bare
 * {@code @ServerEndpoint} loop sends it: on the thread that is already running, with no task hand-off and no thread
 * switch per connection. Members whose writer is busy (a send in flight, a backlog) are not touched: their writer
 * takes the new item in turn, so a slow client never holds up the fanning thread.
 *
 * <p>Contract: {@link #begin} and {@link #end} bracket one call from the container, on its thread, holding no lock;
 * between them {@link Outbox} hands the writer role it took to {@link #defer} instead of the pool. Nothing is sent
 * before {@link #end}, so nothing is sent under a room's lock. Nested brackets join the outer one.
 *
 * <p>The thread-local values are JDK lists, emptied at {@link #end}: a container thread keeps no reference to the
 * application's classes after the call, so undeploying the WAR leaves nothing pinned.
 */
final class WriteThrough {

    private static final Logger LOG = Logger.getLogger(WriteThrough.class.getName());

    /** The writers taken during the open bracket on this thread; null when no bracket is open. */
    private static final ThreadLocal<ArrayList<Outbox>> OPEN = new ThreadLocal<>();
    /** The list reused by this thread's brackets. */
    private static final ThreadLocal<ArrayList<Outbox>> SPARE = new ThreadLocal<>();

    private WriteThrough() {
    }

    /** Opens a bracket on this thread; false when one is open already (the outer one runs the writers). */
    static boolean begin() {
        if (OPEN.get() != null) {
            return false;
        }
        ArrayList<Outbox> list = SPARE.get();
        if (list == null) {
            list = new ArrayList<>();
            SPARE.set(list);
        }
        OPEN.set(list);
        return true;
    }

    /**
     * Closes the bracket {@link #begin} opened and runs, on this thread, every writer deferred in it, in the order
     * they were taken. A writer that throws is logged; the others still run.
     */
    static void end() {
        ArrayList<Outbox> list = OPEN.get();
        OPEN.set(null); // what the writers below start goes to the pool: no bracket is open
        if (list == null) {
            return;
        }
        // a writer below may call back into the engine on this thread and open a bracket of its own (a close makes
        // Undertow run @OnClose inline, which leaves rooms and tells their members): that bracket gets its own list
        SPARE.set(null);
        try {
            for (int i = 0; i < list.size(); i++) {
                try {
                    list.get(i).writeHere();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "A writer failed on the receiving thread", e);
                }
            }
        } finally {
            boolean large = list.size() > 4096;
            list.clear();
            if (large) {
                list.trimToSize(); // a rare very large fan-out does not keep its capacity on every container thread
            }
            SPARE.set(list);
        }
    }

    /**
     * Called by {@link Outbox} holding its writer role: true when a bracket is open on this thread, which then runs
     * the writer at its {@link #end}; false when the caller must start the writer itself.
     */
    static boolean defer(Outbox outbox) {
        ArrayList<Outbox> list = OPEN.get();
        if (list == null) {
            return false;
        }
        list.add(outbox);
        return true;
    }
}
