package dev.switchboard.engine;

import dev.switchboard.Switchboard.Publication;
import dev.switchboard.Switchboard.Refused;
import dev.switchboard.SwitchboardEvent;
import dev.switchboard.cluster.Cluster;
import dev.switchboard.cluster.StoreUnavailable;
import dev.switchboard.config.Settings;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ServerMessage;
import jakarta.json.JsonValue;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishing and direct messages, shared by the public API and the dispatcher: counted, announced, traced, across
 * nodes — and the gate shutdown closes: a publish that got past it is counted until done, so that shutdown delivers
 * every one it acknowledged before the 1001s.
 */
final class Publishing implements Dispatcher.Messaging {

    private static final Logger LOG = Logger.getLogger(Publishing.class.getName());

    private final Settings settings;
    private final Rooms rooms;
    private final Connections connections;
    private final Cluster cluster;
    private final Telemetry telemetry;
    private final Consumer<SwitchboardEvent> events;
    private final Tracing tracing;
    /** Shutdown has begun: publishes are refused. */
    private volatile boolean closed;
    /** Publishes past the gate and not yet done (a LongAdder: no shared cache line on the publish path). */
    private final LongAdder publishing = new LongAdder();

    Publishing(Settings settings, Rooms rooms, Connections connections, Cluster cluster, Telemetry telemetry,
               Consumer<SwitchboardEvent> events, Tracing tracing) {
        this.settings = settings;
        this.rooms = rooms;
        this.connections = connections;
        this.cluster = cluster;
        this.telemetry = telemetry;
        this.events = events;
        this.tracing = tracing;
    }

    /** Refuses every publish from now on (shutdown). */
    void close() {
        closed = true;
    }

    boolean closed() {
        return closed;
    }

    /** Whether a publish that got past the gate is still running. */
    boolean inFlight() {
        return publishing.sum() > 0;
    }

    @Override
    public RoomLog.Published publish(Room room, String name, String from, JsonValue data, Map<String, String> tags,
                                     String key) {
        publishing.increment(); // before the check: shutdown waits for every publish that got past it
        try {
            if (closed) {
                return null;
            }
            if (!tracing.on()) {
                return publishNow(room, name, from, data, tags, key);
            }
            try (Tracing.Span span = tracing.publish(name, from == null ? "api" : "socket")) {
                try {
                    RoomLog.Published published = publishNow(room, name, from, data, tags, key);
                    span.offset(published.publication().offset());
                    return published;
                } catch (Refused e) {
                    span.refused(e.code());
                    throw e;
                }
            }
        } finally {
            publishing.decrement();
        }
    }

    private RoomLog.Published publishNow(Room room, String name, String from, JsonValue data, Map<String, String> tags,
                                         String key) {
        long window = settings.limits().publishKeyWindow().toMillis();
        RoomLog.Published published = room == null ? null
                : room.publish(from, data, tags, System.currentTimeMillis(), key, window);
        if (published == null) { // a new room, or the successor of a retired one
            published = rooms.publish(name, from, data, tags, key, window);
        }
        if (published.duplicate()) {
            telemetry.duplicatePublished();
            return published; // published before: nothing new, no event
        }
        Publication publication = published.publication();
        telemetry.published();
        events.accept(new SwitchboardEvent.MessagePublished(name, publication.epoch(), publication.offset(), from, data));
        return published;
    }

    /** Queues a direct message on every connection of {@code user}, on this node and (shared) on the others. */
    @Override
    public int sendToUser(String from, String user, JsonValue data) {
        String frame = Codec.encode(new ServerMessage.Direct(from, data == null ? JsonValue.NULL : data));
        int queued = connections.deliverDirect(user, frame);
        if (cluster.shared()) {
            try {
                queued += cluster.directElsewhere(user, frame);
            } catch (StoreUnavailable e) {
                LOG.log(Level.FINE, "Direct message to {0} delivered on this node only: {1}", new Object[] {user, e.getMessage()});
            }
        }
        return queued;
    }
}
