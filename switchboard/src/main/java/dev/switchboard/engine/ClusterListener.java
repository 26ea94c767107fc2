package dev.switchboard.engine;

import dev.switchboard.SwitchboardEvent;
import dev.switchboard.cluster.Cluster;
import dev.switchboard.cluster.StoreUnavailable;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the other nodes tell this one. Publications and resets arrive on the cluster's delivery thread, in order, and
 * go straight to their room (which never waits for the store there); everything that asks the store — presence
 * refreshes, resynchronization after an outage — runs on the background executor.
 */
final class ClusterListener implements Cluster.Listener {

    private static final Logger LOG = Logger.getLogger(ClusterListener.class.getName());

    private final Cluster cluster;
    private final Connections connections;
    private final Rooms rooms;
    private final ScheduledExecutorService scheduler;
    private final Executor background;
    private final long coalesceMillis;
    private final Set<String> presenceStale = ConcurrentHashMap.newKeySet();
    /** Rooms whose presence on other nodes could not be read: read again on the next repair. */
    private final Set<String> presenceUnread = ConcurrentHashMap.newKeySet();
    /** What other nodes' operators ask of this node. */
    interface Admin {
        /** Removes a user (null: everyone) from a room on this node, telling the members. */
        void removeFromRoom(String room, String user);

        /** Another node's question about {@code argument} (see {@code Cluster.askEveryNode}); null: no answer. */
        String answer(String question, String argument);
    }

    private final Admin admin;
    private final Consumer<SwitchboardEvent> events;

    ClusterListener(Cluster cluster, Connections connections, Rooms rooms, ScheduledExecutorService scheduler,
                    Executor background, long coalesceMillis, Admin admin, Consumer<SwitchboardEvent> events) {
        this.cluster = cluster;
        this.events = events;
        this.admin = admin;
        this.connections = connections;
        this.rooms = rooms;
        this.scheduler = scheduler;
        this.background = background;
        this.coalesceMillis = Math.max(20, coalesceMillis);
    }

    /** Told to this node only: the application hears it here, on the background executor (never the store's threads). */
    @Override
    public void nodeLost(String node, Set<String> users, Map<String, Set<String>> members) {
        background.execute(() -> events.accept(new SwitchboardEvent.NodeLost(node, users, members)));
    }

    @Override
    public void publication(String room, String epoch, long offset, String payload) {
        Room target = rooms.get(room);
        if (target != null) {
            target.log().deliver(epoch, offset, payload, System.currentTimeMillis());
        }
    }

    @Override
    public void reset(String room, String epoch, long offset) {
        Room target = rooms.get(room);
        if (target != null) {
            target.log().reset(epoch, offset);
        }
    }

    @Override
    public void presenceChanged(String room) {
        if (rooms.contains(room)) {
            presenceStale(room);
        }
    }

    @Override
    public void direct(String user, String frame) {
        connections.deliverDirect(user, frame);
    }

    @Override
    public void disconnect(String user, int code, String reason) {
        connections.disconnect(user, code, reason);
    }

    @Override
    public void removeFromRoom(String room, String user) {
        admin.removeFromRoom(room, user);
    }

    @Override
    public String answer(String question, String argument) {
        return admin.answer(question, argument);
    }

    @Override
    public void resynchronize() {
        background.execute(() -> {
            long now = System.currentTimeMillis();
            connections.forEachUser(cluster::userConnections);
            rooms.forEach((name, room) -> {
                room.log().resynchronize(now);
                room.localUsers().forEach((user, count) -> cluster.presence(name, user, count));
                presenceStale(name);
            });
        });
    }

    /**
     * Only what failed: the users' connections and members' presence whose writes failed are written again as they
     * are now (0 when gone), rooms that went on alone rejoin the shared log, unread presence is read again.
     */
    @Override
    public void repair(Map<String, Set<String>> presence, Set<String> users) {
        background.execute(() -> {
            long now = System.currentTimeMillis();
            users.forEach(user -> cluster.userConnections(user, connections.count(user)));
            presence.forEach((name, those) -> {
                Room room = rooms.get(name);
                Map<String, Integer> here = room == null ? Map.of() : room.localUsers();
                those.forEach(user -> cluster.presence(name, user, here.getOrDefault(user, 0)));
            });
            rooms.forEach((name, room) -> {
                if (room.locked(() -> room.log().isLocalLocked())) {
                    room.log().resynchronize(now);
                    presenceStale(name);
                }
            });
            for (String name : presenceUnread) {
                if (presenceUnread.remove(name) && rooms.contains(name)) {
                    presenceStale(name);
                }
            }
        });
    }

    @Override
    public void nodesChanged() {
        rooms.forEach((name, room) -> presenceStale(name));
    }

    /** Reads who is in {@code room} on other nodes, coalescing changes within the presence window. */
    private void presenceStale(String room) {
        if (presenceStale.add(room)) {
            scheduler.schedule(() -> background.execute(() -> refreshPresence(room)), coalesceMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void refreshPresence(String name) {
        presenceStale.remove(name);
        Room room = rooms.get(name);
        if (room == null) {
            return;
        }
        try {
            room.remotePresence(cluster.remotePresence(name)); // asked outside the room's lock
        } catch (StoreUnavailable e) {
            presenceUnread.add(name);
            LOG.log(Level.FINE, "Presence of {0} on other nodes not refreshed: {1}", new Object[] {name, e.getMessage()});
        }
    }
}
