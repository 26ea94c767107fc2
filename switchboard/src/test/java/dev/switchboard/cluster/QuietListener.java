package dev.switchboard.cluster;

/** A {@link Cluster.Listener} that ignores everything; tests override what they listen to. */
public class QuietListener implements Cluster.Listener {

    @Override
    public void publication(String room, String epoch, long offset, String payload) {
    }

    @Override
    public void reset(String room, String epoch, long offset) {
    }

    @Override
    public void presenceChanged(String room) {
    }

    @Override
    public void direct(String user, String frame) {
    }

    @Override
    public void disconnect(String user, int code, String reason) {
    }

    @Override
    public void removeFromRoom(String room, String user) {
    }

    @Override
    public String answer(String question, String argument) {
        return null;
    }

    @Override
    public void resynchronize() {
    }

    @Override
    public void repair(java.util.Map<String, java.util.Set<String>> presence, java.util.Set<String> users) {
    }

    @Override
    public void nodesChanged() {
    }

    @Override
    public void nodeLost(String node, java.util.Set<String> users, java.util.Map<String, java.util.Set<String>> rooms) {
    }
}
