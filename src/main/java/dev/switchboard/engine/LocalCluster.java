package dev.switchboard.engine;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/** One node, no shared store: rooms keep their history in this node's memory. The default. */
public final class LocalCluster implements Cluster {

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public String node() {
        return "local";
    }

    @Override
    public void start(Node node, ThreadFactory threads, ScheduledExecutorService scheduler) {
    }

    @Override
    public boolean reachable() {
        return true;
    }

    @Override
    public int nodes() {
        return 1;
    }

    @Override
    public Position append(String room, RoomPolicy policy, String payload) {
        throw new UnsupportedOperationException("one node: rooms append to their own history");
    }

    @Override
    public Position position(String room) {
        throw new UnsupportedOperationException("one node: rooms know their own position");
    }

    @Override
    public Optional<List<Entry>> range(String room, RoomPolicy policy, long after, long upTo) {
        return Optional.empty();
    }

    @Override
    public Position reset(String room) {
        throw new UnsupportedOperationException("one node: nothing to reset");
    }

    @Override
    public void presence(String room, String user, int connections) {
    }

    @Override
    public Map<String, Integer> remotePresence(String room) {
        return Map.of();
    }

    @Override
    public void userConnections(String user, int connections) {
    }

    @Override
    public int remoteConnections(String user) {
        return 0;
    }

    @Override
    public void direct(String user, String frame) {
    }

    @Override
    public void disconnect(String user, int code, String reason) {
    }

    @Override
    public void stop() {
    }
}
