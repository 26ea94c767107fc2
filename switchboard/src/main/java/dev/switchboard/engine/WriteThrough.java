package dev.switchboard.engine;

import java.util.ArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Write-through for replies: while a container thread handles what a peer sent (a request, a publish, a join), the
 * answer to that peer — {@code reply}, {@code ack}, {@code pong}, {@code joined}, an error — is sent on that thread
 * once the handling is over and every lock let go, instead of being handed to the writer pool: the way a bare
 * {@code @ServerEndpoint} answers, with no task hand-off and no thread switch. Only the writer of the connection the
 * thread is serving ({@link #own}) is run here, and only when it was idle; what the handling queues for other
 * connections (the fan-out of a publication, presence) goes to their writers on the pool as before, so a large room
 * never holds up the publisher's connection, and writers that drain several queued frames at once let the container
 * coalesce them (measured: fan-out written through from the publisher's thread cost more CPU per delivery on both
 * servers, see docs/benchmark/performance.md).
 *
 * <p>Contract: {@link #begin} and {@link #end} bracket one call from the container, on its thread, holding no lock;
 * between them {@link Outbox} hands the writer role it took for the {@link #own} connection to {@link #defer}
 * instead of the pool. Nothing is sent before {@link #end}, so nothing is sent under a room's lock. Nested brackets
 * join the outer one.
 *
 * <p>The thread-local values are emptied at {@link #end} (the lists are JDK lists): a container thread keeps no
 * reference to the application's classes after the call, so undeploying the WAR leaves nothing pinned.
 */
final class WriteThrough {

    private static final Logger LOG = Logger.getLogger(WriteThrough.class.getName());

    /** The writers taken during the open bracket on this thread; null when no bracket is open. */
    private static final ThreadLocal<ArrayList<Outbox>> OPEN = new ThreadLocal<>();
    /** The list reused by this thread's brackets. */
    private static final ThreadLocal<ArrayList<Outbox>> SPARE = new ThreadLocal<>();
    /** The connection the open bracket serves: the only one whose writer it runs. */
    private static final ThreadLocal<Outbox> OWN = new ThreadLocal<>();

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
    /** {@link #begin()} for a call that serves {@code own}'s connection (see {@link #own}). */
    static boolean begin(Outbox own) {
        boolean outer = begin();
        own(own);
        return outer;
    }

    /** What a container thread hands the engine for one connection: a message, a frame, a close. */
    @FunctionalInterface
    interface Call<A, B> {
        void run(Connection connection, A first, B second);
    }

    /**
     * Runs {@code call} for {@code connection} inside a bracket (the one open on this thread, else a new one): what it
     * queues for that connection, when its writer is idle, is sent on this thread when the bracket ends, every lock
     * let go; what it queues for others goes to their writers. Allocates nothing: callers keep {@code call} in a field.
     */
    static <A, B> void run(Connection connection, A first, B second, Call<A, B> call) {
        boolean outer = begin(connection.outbox);
        try {
            call.run(connection, first, second);
        } finally {
            if (outer) {
                end();
            }
        }
    }

    /** The connection the bracket this thread opened serves (its writer, when idle, runs at {@link #end}). */
    static void own(Outbox outbox) {
        if (OPEN.get() != null && OWN.get() == null) {
            OWN.set(outbox);
        }
    }

    static void end() {
        ArrayList<Outbox> list = OPEN.get();
        OPEN.set(null); // what the writers below start goes to the pool: no bracket is open
        OWN.set(null);
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
     * Called by {@link Outbox} holding its writer role: true when a bracket serving {@code outbox}'s connection is
     * open on this thread, which then runs the writer at its {@link #end}; false when the caller must start it.
     */
    static boolean defer(Outbox outbox) {
        ArrayList<Outbox> list = OPEN.get();
        if (list == null || OWN.get() != outbox) {
            return false;
        }
        list.add(outbox);
        return true;
    }
}
