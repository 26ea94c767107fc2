package dev.switchboard.engine;

import dev.switchboard.CloseCodes;
import dev.switchboard.config.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The sweep, four times per heartbeat interval (between 100 ms and 1 s apart): pings a connection it has had no
 * answer from for half an interval, with a token its pong must echo, and gives its verdicts:
 * <ul>
 *   <li>credentials expired (not refreshed in time) → 4001;</li>
 *   <li>the current send has run past the send timeout → 4008 (a backstop for containers that do not enforce
 *       {@code setSendTimeout});</li>
 *   <li>a ping unanswered, with no message from the peer handled in the last interval (while this node is still
 *       handling what the peer sent, its pong waits behind that):
 *       <ul>
 *         <li>nothing at all came from the peer and no publication to it went out since the ping → after one
 *             interval, 4000: it is gone. A peer that vanishes (no FIN, no RST) is closed within two intervals: the
 *             ping leaves at most half an interval and a sweep after its last answer, and has an interval and a
 *             sweep to be answered;</li>
 *         <li>frames went out to it since the ping (their sends completed), or it sent something → after two
 *             intervals, 4008: it is there but slow, or the server cannot tell yet — the ping waits behind what was
 *             sent before it, in the container's and the network's buffers, and a subscriber being flooded answers
 *             late (one interval to answer made a live subscriber of a freshly started, flooded Payara miss its
 *             deadline: ConcurrencyIT). Within three intervals.</li>
 *       </ul></li>
 *   <li>no first message on {@code /ws} within the first-message timeout of the welcome's send → 1013 (reconnect
 *       later); idle past the idle timeout → 1001.</li>
 * </ul>
 * A verdict ends the connection within this sweep: it goes before anything queued and takes the writer's role from a
 * send that does not complete ({@link Outbox#terminate}). A connection already closing gracefully whose send is stuck
 * past the send timeout is ended the same way. Also retires rooms that have been empty and idle.
 */
final class Liveness {

    private static final Logger LOG = Logger.getLogger(Liveness.class.getName());

    private final Settings settings;
    private final Connections connections;
    private final Rooms rooms;
    private final Telemetry telemetry;

    /** What the container's {@code @OnClose} does; run by the sweep when the container never calls it. */
    private final java.util.function.Consumer<Connection> closedWithoutContainer;

    private final Runnable probeWriters;

    Liveness(Settings settings, Connections connections, Rooms rooms, Telemetry telemetry,
             java.util.function.Consumer<Connection> closedWithoutContainer, Executor writers) {
        this.closedWithoutContainer = closedWithoutContainer;
        // a task behind the writers' queued sends: when it stops running, the writers are stuck (liveness DOWN)
        this.probeWriters = () -> {
            try {
                writers.execute(telemetry::writersRan);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down: the writers take no more work; liveness no longer matters
            }
        };
        this.settings = settings;
        this.connections = connections;
        this.rooms = rooms;
        this.telemetry = telemetry;
    }

    static Duration interval(Settings settings) {
        long hb = settings.heartbeat().toMillis();
        return Duration.ofMillis(hb > 0 ? Math.max(100, Math.min(1000, hb / 4)) : 1000);
    }

    void sweep() {
        try {
            telemetry.swept();
            probeWriters.run();
            long now = System.nanoTime();
            for (Connection c : connections.all()) {
                check(c, now);
            }
            rooms.retireIdle(System.currentTimeMillis());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Liveness sweep failed; it runs again next interval", e);
        }
    }

    private void check(Connection c, long now) {
        Outbox out = c.outbox;
        if (out.isFinished()) {
            // closed; the container's @OnClose removes it. Backstop: a container that took the socket for closed
            // before our close (a peer that vanished during a burst, seen on Payara) may never call it, and the
            // connection would stay registered, in its rooms, for good
            long since = out.finishedNanos();
            if (since != 0 && now - since > Math.max(settings.sendTimeout().toNanos(), TimeUnit.SECONDS.toNanos(5))) {
                LOG.fine(() -> c + " closed without the container's @OnClose: removed by the sweep");
                closedWithoutContainer.accept(c);
            }
            return;
        }
        long sendTimeout = settings.sendTimeout().toNanos();
        long started = out.sends().startedNanos();
        boolean stuck = sendTimeout > 0 && started != 0 && now - started > sendTimeout;
        if (out.isClosing()) {
            if (stuck && out.terminate(CloseCodes.SLOW_CONSUMER, "slow consumer: send timed out")) {
                telemetry.slowConsumerClosed(); // a graceful close waiting behind a send that does not complete
            }
            return;
        }
        long heartbeat = settings.heartbeat().toNanos();
        long idle = settings.idleTimeout().toNanos();
        long first = settings.firstMessageTimeout().toNanos();
        Instant expires = c.caller().expiresAt();
        long pingSince = c.pingOutstandingSince();
        if (expires != null && expires.toEpochMilli() <= System.currentTimeMillis()) {
            out.terminate(CloseCodes.CREDENTIALS_EXPIRED, "credentials expired: refresh them and reconnect");
        } else if (stuck) {
            telemetry.slowConsumerClosed();
            out.terminate(CloseCodes.SLOW_CONSUMER, "slow consumer: send timed out");
        } else if (heartbeat > 0 && pingSince != 0 && now - c.lastMessageNanos() > heartbeat
                && now - pingSince > (sentOrHeardSince(c, pingSince) ? 2 * heartbeat : heartbeat)) {
            // (a message from the peer was handled within the last interval: it is there, and this node is still
            // working through what it sent — a burst of publications to a large room — so its pong waits behind
            // them in our own inbound stream; a peer that stopped reading is ended by its queue's bound or the send
            // timeout instead)
            // unanswered with nothing going either way: the peer is gone. With frames still going out to it (their
            // sends complete) or something heard, it is alive but not reading, or vanished behind buffers that still
            // take bytes — a container that completes sends before the socket takes them (Payara, see README) makes
            // it look so for longer: slow, 4008, after two intervals
            if (sentOrHeardSince(c, pingSince)) {
                telemetry.slowConsumerClosed();
                out.terminate(CloseCodes.SLOW_CONSUMER, "slow consumer: heartbeat not answered within two intervals");
            } else {
                telemetry.heartbeatClosed();
                out.terminate(CloseCodes.HEARTBEAT_TIMEOUT, "no answer to the heartbeat within an interval");
            }
        } else if (first > 0 && c.lastMessageNanos() == 0 && c.kind() == Connection.Kind.SOCKET
                && c.outbox.sends().firstSentNanos() != 0 && now - c.outbox.sends().firstSentNanos() > first) {
            // counted from the welcome's send, not the open: a client speaks after it hears the welcome (one that
            // never takes it is ended by the send timeout instead). And 1013, try again later, not a policy
            // violation: the server cannot tell a silent client from one whose first message it has not read yet —
            // in the benchmark's reconnect storm on WildFly, 899 of 10 000 clients that had answered their welcome
            // were closed so, and with 1008 the clients would have stayed away for good
            c.close(CloseCodes.TRY_AGAIN_LATER, "no message within " + settings.firstMessageTimeout().toSeconds()
                    + " s of the welcome");
        } else if (idle > 0 && now - Math.max(c.lastMessageNanos(), c.openedNanos()) > idle) {
            c.close(CloseCodes.GOING_AWAY, "idle for " + settings.idleTimeout().toSeconds() + " s");
        } else if (heartbeat > 0 && pingSince == 0 && now - c.lastPingAnsweredNanos() > heartbeat / 2) {
            c.ping();
        }
    }

    /** Whether, since the ping at {@code pingSince}, a send to the peer completed or anything came from it. */
    private static boolean sentOrHeardSince(Connection c, long pingSince) {
        return c.lastHeardNanos() > pingSince || c.outbox.sends().lastSentNanos() > pingSince;
    }
}
