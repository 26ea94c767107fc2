package dev.switchboard.engine;

import dev.switchboard.CloseCodes;
import dev.switchboard.config.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The sweep, once per interval (half the heartbeat, between 100 ms and 1 s): pings every connection once per heartbeat
 * interval, with a token its pong must echo, and gives its verdicts:
 * <ul>
 *   <li>credentials expired (not refreshed in time) → 4001;</li>
 *   <li>the current send has run past the send timeout → 4008 (a backstop for containers that do not enforce
 *       {@code setSendTimeout});</li>
 *   <li>a ping unanswered for two intervals, and no message from the peer handled in the last interval (while this
 *       node is still handling what the peer sent, its pong waits behind that) → 4000 when nothing at all came from
 *       the peer meanwhile and no send to it completed (it is gone), 4008 when it is there but slow (it sent
 *       something, or its side of the network still takes bytes: its pong waits behind the backlog). A peer that
 *       goes silent is closed within about three intervals (measured 6 s with a 2 s heartbeat). One interval to
 *       answer was tried: a live subscriber of a freshly started Payara flooded by eight publishers had its pong
 *       wait in the container's queue past it (ConcurrencyIT), so the deadline stays at two;</li>
 *   <li>no first message on {@code /ws} within the first-message timeout → 1008; idle past the idle timeout → 1001.</li>
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
    private final Metrics metrics;

    /** What the container's {@code @OnClose} does; run by the sweep when the container never calls it. */
    private final java.util.function.Consumer<Connection> closedWithoutContainer;

    Liveness(Settings settings, Connections connections, Rooms rooms, Metrics metrics,
             java.util.function.Consumer<Connection> closedWithoutContainer) {
        this.closedWithoutContainer = closedWithoutContainer;
        this.settings = settings;
        this.connections = connections;
        this.rooms = rooms;
        this.metrics = metrics;
    }

    static Duration interval(Settings settings) {
        long hb = settings.heartbeat().toMillis();
        return Duration.ofMillis(hb > 0 ? Math.max(100, Math.min(1000, hb / 2)) : 1000);
    }

    void sweep() {
        try {
            metrics.rollSendTimes();
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
        long started = out.sendStartedNanos();
        boolean stuck = sendTimeout > 0 && started != 0 && now - started > sendTimeout;
        if (out.isClosing()) {
            if (stuck && out.terminate(CloseCodes.SLOW_CONSUMER, "slow consumer: send timed out")) {
                metrics.slowConsumers.increment(); // a graceful close waiting behind a send that does not complete
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
            metrics.slowConsumers.increment();
            out.terminate(CloseCodes.SLOW_CONSUMER, "slow consumer: send timed out");
        } else if (heartbeat > 0 && pingSince != 0 && now - pingSince > 2 * heartbeat
                && now - c.lastMessageNanos() > heartbeat) {
            // (a message from the peer was handled within the last interval: it is there, and this node is still
            // working through what it sent — a burst of publications to a large room — so its pong waits behind
            // them in our own inbound stream; a peer that stopped reading is ended by its queue's bound or the send
            // timeout instead)
            // a ping unanswered for two intervals: the peer is gone, or alive but not reading what it is sent (a slow
            // link: its sends still complete). A container that completes sends before the socket takes them
            // (Payara, see README) makes a vanished peer with traffic look slow: 4008, within the same bound.
            if (c.lastHeardNanos() > pingSince || out.lastSentNanos() > pingSince) {
                metrics.slowConsumers.increment();
                out.terminate(CloseCodes.SLOW_CONSUMER, "slow consumer: heartbeat not answered within two intervals");
            } else {
                metrics.heartbeatCloses.increment();
                out.terminate(CloseCodes.HEARTBEAT_TIMEOUT, "no answer to the heartbeat within two intervals");
            }
        } else if (first > 0 && c.lastMessageNanos() == 0 && c.kind() == Connection.Kind.SOCKET
                && now - c.openedNanos() > first) {
            c.close(CloseCodes.POLICY_VIOLATION, "no message within " + settings.firstMessageTimeout().toSeconds() + " s of opening");
        } else if (idle > 0 && now - Math.max(c.lastMessageNanos(), c.openedNanos()) > idle) {
            c.close(CloseCodes.GOING_AWAY, "idle for " + settings.idleTimeout().toSeconds() + " s");
        } else if (heartbeat > 0 && pingSince == 0 && now - c.lastPingAnsweredNanos() > heartbeat) {
            c.ping();
        }
    }
}
