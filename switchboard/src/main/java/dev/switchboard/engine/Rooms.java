package dev.switchboard.engine;

import dev.switchboard.cluster.Cluster;
import dev.switchboard.cluster.LogStore;
import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import jakarta.json.JsonValue;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;

/**
 * The rooms of this node by name: created on first use, retired when empty and idle, replaced when a retired one is
 * asked for again. With a shared cluster, rooms follow the {@link LogStore}; otherwise each keeps its own log.
 */
final class Rooms {

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Settings settings;
    private final ScheduledExecutorService scheduler;
    private final Cluster cluster;
    private final LogStore store;
    private final Executor background;

    /** The node's bound on history, shared by every room. */
    private final HistoryBudget budget;
    private final Telemetry telemetry;
    private final Tracing tracing;

    Rooms(Settings settings, ScheduledExecutorService scheduler, Cluster cluster, LogStore store, Executor background,
          HistoryBudget budget, Telemetry telemetry, Tracing tracing) {
        this.settings = settings;
        this.telemetry = telemetry;
        this.tracing = tracing;
        this.budget = budget;
        this.scheduler = scheduler;
        this.cluster = cluster;
        this.store = cluster.shared() ? store : null;
        this.background = background;
    }

    /** The room named {@code name}, or null. */
    Room get(String name) {
        return rooms.get(name);
    }

    /** The room named {@code name}, created when there is none (or the one there was retired). */
    Room getOrCreate(String name) {
        Room room = rooms.get(name);
        if (room != null) {
            return room;
        }
        int max = settings.limits().maxRooms();
        if (max > 0 && rooms.size() >= max) {
            return null; // a bound on memory: creators racing past the check overshoot by at most their number
        }
        return rooms.computeIfAbsent(name, this::create);
    }

    /**
     * How many users are in {@code name} on every node: the room's own presence, or, on a node without it, what the
     * other nodes recorded; throws {@link dev.switchboard.Switchboard.Refused} {@code unavailable} when that cannot be read.
     */
    dev.switchboard.Switchboard.Occupancy occupancy(String name) {
        Room room = rooms.get(name);
        if (room != null || !cluster.shared()) {
            java.util.Map<String, Integer> everyone = new java.util.HashMap<>();
            if (room != null) {
                room.presence().forEach(m -> everyone.put(m.user(), m.connections()));
            }
            return RoomPresence.occupancy(name, everyone);
        }
        try {
            return RoomPresence.occupancy(name, cluster.remotePresence(name));
        } catch (dev.switchboard.cluster.StoreUnavailable e) {
            throw new dev.switchboard.Switchboard.Refused(dev.switchboard.protocol.ErrorCode.UNAVAILABLE,
                    "the occupancy of '" + name + "' cannot be read now: " + e.getMessage());
        }
    }

    /** Drops {@code room} if it is still the one registered under its name (it was retired). */
    void retired(Room room) {
        rooms.remove(room.name(), room);
    }

    /** Publishes to {@code name}, creating the room if needed (or again, if it was retired meanwhile). */
    RoomLog.Published publish(String name, String from, JsonValue data, java.util.Map<String, String> tags, String key,
                              long keyWindowMillis) {
        while (true) {
            Room room = getOrCreate(name);
            if (room == null) {
                throw new dev.switchboard.Switchboard.Refused(dev.switchboard.protocol.ErrorCode.NODE_FULL,
                        "this node holds as many rooms as it may (switchboard.max-rooms): '" + name + "' is not one of them");
            }
            RoomLog.Published published = room.publish(from, data, tags, System.currentTimeMillis(), key, keyWindowMillis);
            if (published != null) {
                return published;
            }
            retired(room);
        }
    }

    /** Names of the rooms that have members here. */
    Set<String> names() {
        Set<String> names = new TreeSet<>();
        rooms.forEach((name, room) -> {
            if (!room.isEmpty()) {
                names.add(name);
            }
        });
        return Set.copyOf(names);
    }

    /** Whether every room delivered to this node's members what this node published into it (see shutdown). */
    boolean deliveredOwn() {
        for (Room room : rooms.values()) {
            if (!room.log().deliveredOwn()) {
                return false;
            }
        }
        return true;
    }

    void forEach(BiConsumer<String, Room> action) {
        rooms.forEach(action);
    }

    boolean contains(String name) {
        return rooms.containsKey(name);
    }

    /** Drops rooms that have been empty and idle for longer than their history is kept (at least a minute). */
    void retireIdle(long nowMillis) {
        rooms.forEach((name, room) -> {
            // kept while its history or its publishers' idempotency keys may still be asked for
            long unused = Math.max(Math.max(60_000, settings.policyFor(name).historyTtl().toMillis()),
                    settings.limits().publishKeyWindow().toMillis());
            if (room.retireIfIdle(nowMillis, unused)) {
                rooms.remove(name, room);
                if (cluster.shared()) {
                    cluster.unfollow(name); // its publications no longer come to this node
                }
            }
        });
    }

    /** A new room; with a shared cluster, this node follows its events from now on (see {@code Cluster.follow}). */
    private Room create(String name) {
        if (cluster.shared()) {
            cluster.follow(name);
        }
        RoomPolicy policy = settings.policyFor(name);
        return new Room(name, policy, scheduler, settings.presenceCoalesce(), cluster, store, background, budget, telemetry, tracing);
    }
}
