package dev.switchboard.cluster;

import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/** One node, nothing shared: rooms keep their own log in this node's memory, presence and users are all local. */
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
    public void start(Listener listener, ThreadFactory threads, ScheduledExecutorService scheduler) {
        // nothing to join
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
    public long failures() {
        return 0;
    }

    @Override
    public void presence(String room, String user, int connections) {
        // only this node: the room itself knows
    }

    @Override
    public Map<String, Integer> remotePresence(String room) {
        return Map.of();
    }

    @Override
    public void userConnections(String user, int connections) {
        // only this node: the connection registry knows
    }

    @Override
    public int remoteConnections(String user) {
        return 0;
    }

    @Override
    public void direct(String user, String frame) {
        // no other node to reach
    }

    @Override
    public void disconnect(String user, int code, String reason) {
        // no other node to reach
    }

    @Override
    public void removeFromRoom(String room, String user) {
        // no other node to reach
    }

    @Override
    public Map<String, String> askEveryNode(String question, String argument, java.time.Duration wait) {
        return Map.of(); // no other node
    }

    @Override
    public Map<String, Integer> connectionsByNode(String user) {
        return Map.of(); // the caller counts this node's own
    }

    @Override
    public void stop() {
        // nothing to leave
    }
}
