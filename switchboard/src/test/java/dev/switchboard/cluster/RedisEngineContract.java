package dev.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on a real Redis (one redis-server: {@link RedisClusterTest}; a Redis Cluster: {@link ShardedRedisTest}): presence and users seen across nodes, direct messages and disconnects delivered to
 * the nodes that hold the user only, each room's events to the nodes that follow it only, and best-effort commands whose failure is logged and counted, never dropped.
 */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
abstract class RedisEngineContract {

    TestRedis server;
    RedisCluster one;
    RedisCluster two;
    final List<String> heardByTwo = new CopyOnWriteArrayList<>();
    final List<String> heardByOne = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    /** The Redis under test, started. */
    abstract TestRedis startRedis() throws Exception;

    @BeforeAll
    void start() throws Exception {
        server = startRedis();
        one = new RedisCluster(server.link("nodes"));
        two = new RedisCluster(server.link("nodes"));
        one.start(new Recorder(heardByOne), Thread::new, timers);
        two.start(new Recorder(heardByTwo), Thread::new, timers);
        within(() -> one.reachable() && two.reachable() && one.nodes() == 2 && two.nodes() == 2);
    }

    @AfterAll
    void stop() {
        if (one != null) {
            one.stop();
        }
        if (two != null) {
            two.stop();
        }
        timers.shutdownNow();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void presenceAndUsersAreSeenFromTheOtherNode() throws Exception {
        two.follow("lobby"); // a room of node two's: it hears the room's presence changes
        two.awaitFollowing("lobby");
        one.presence("lobby", "ann", 2);
        one.userConnections("ann", 2);
        within(() -> heardByTwo.contains("C lobby"));
        assertEquals(Map.of("ann", 2), two.remotePresence("lobby"));
        assertEquals(Map.of(), one.remotePresence("lobby"), "a node's own users are not remote to it");
        assertEquals(2, two.remoteConnections("ann"));
        one.presence("lobby", "ann", 0);
        within(() -> {
            try {
                return two.remotePresence("lobby").isEmpty();
            } catch (StoreUnavailable e) {
                return false;
            }
        });
    }

    /**
     * A node hears the rooms it follows and no other: publications, resets and presence changes go to each room's own
     * channel. One node follows north; south's events never reach it; once it unfollows north, north's do not either.
     */
    @Test
    void aNodeHearsTheRoomsItFollowsAndNoOther() throws Exception {
        Redis link = server.link("nodes");
        assertTrue(link.connect(message -> { }, "log", Set::of), "a third link, for the log");
        RedisLogStore store = new RedisLogStore(link);
        dev.switchboard.config.RoomPolicy policy = dev.switchboard.config.Settings.defaults().policyFor("north");
        try {
            two.follow("north");
            two.follow("north"); // a retired room and its successor: two rooms, one subscription
            two.awaitFollowing("north");
            for (int i = 1; i <= 5; i++) {
                store.append("north", policy, "{\"data\":" + i + "}");
                store.append("south", policy, "{\"data\":" + i + "}");
            }
            one.presence("south", "ann", 1);
            one.presence("north", "ann", 1);
            within(() -> heardByTwo.contains("C north") && heardByTwo.contains("P north 5"));
            assertTrue(heardByTwo.stream().noneMatch(h -> h.contains("south")), "south never reached node two: " + heardByTwo);

            two.unfollow("north"); // the first of the two rooms retired: still followed
            store.append("north", policy, "{\"data\":6}");
            within(() -> heardByTwo.contains("P north 6"));
            two.unfollow("north"); // the last: no longer
            // the unsubscription is confirmed before a marker room's publication reaches node two, in Redis' order
            two.follow("marker");
            two.awaitFollowing("marker");
            store.append("north", policy, "{\"data\":7}");
            store.append("marker", policy, "{\"data\":1}");
            within(() -> heardByTwo.contains("P marker 1"));
            assertFalse(heardByTwo.contains("P north 7"), "north after the unfollow: " + heardByTwo);
        } finally {
            one.presence("south", "ann", 0);
            one.presence("north", "ann", 0);
            two.unfollow("marker");
            link.shutdown();
        }
    }

    @Test
    void directMessagesAndDisconnectsReachTheOtherNodeOnly() throws Exception {
        two.userConnections("ben", 1); // ben is on node two; cy is on no node
        within(() -> {
            try {
                return one.remoteConnections("ben") == 1;
            } catch (StoreUnavailable e) {
                return false;
            }
        });
        one.direct("cy", "{\"type\":\"direct\"}");
        one.disconnect("cy", 4403, "revoked");
        one.direct("ben", "{\"type\":\"direct\"}");
        one.disconnect("ben", 4403, "revoked");
        within(() -> heardByTwo.contains("D ben {\"type\":\"direct\"}") && heardByTwo.contains("X ben 4403 revoked"));
        assertTrue(heardByTwo.stream().noneMatch(h -> h.contains(" cy ")), "only the nodes that hold the user: " + heardByTwo);
        two.userConnections("ben", 0);
    }

    @Test
    void anOperatorsRemovalReachesTheOtherNodeAndItsQuestionIsAnsweredByIt() throws Exception {
        one.removeFromRoom("lobby", "cy");
        one.removeFromRoom("hall", null);
        within(() -> heardByTwo.contains("K lobby cy") && heardByTwo.contains("K hall null"));
        Map<String, String> answers = one.askEveryNode("connections", "dee", java.time.Duration.ofSeconds(5));
        assertEquals(Map.of(two.node(), "[\"dee\"]"), answers, "the other node answered, this one was not asked");
        one.userConnections("dee", 1);
        two.userConnections("dee", 3);
        within(() -> {
            try {
                return one.connectionsByNode("dee").equals(Map.of(one.node(), 1, two.node(), 3));
            } catch (StoreUnavailable e) {
                return false;
            }
        });
    }

    @Test
    void aBestEffortCommandThatFailsIsLoggedAndCounted() throws Exception {
        server.command("nodes:{broken}:presence", c -> c.set("nodes:{broken}:presence", "not a hash")); // HSET on it answers WRONGTYPE
        long before = one.failures();
        one.presence("broken", "ann", 1);
        within(() -> one.failures() == before + 1);
    }

    /**
     * Redis answers the heartbeat but a node's calls fail (here: WRONGTYPE; in a storm: timeouts): the heartbeat hands
     * the listener what failed to repair — a member's presence not written, then a failed read — and never makes the
     * whole resynchronization, whose load would add to the load the failures come from.
     */
    @Test
    void callsThatFailWhileRedisAnswersAreRepairedAloneWithoutAResynchronization() throws Exception {
        // the start's catch-up and its second pass a few beats later are over: any later "Y" is the failures' doing
        within(() -> heardByOne.stream().filter("Y"::equals).count() >= 2);
        server.command("nodes:{cracked}:presence", c -> c.set("nodes:{cracked}:presence", "not a hash"));
        heardByOne.clear();
        one.presence("cracked", "bob", 1); // its write fails
        within(() -> heardByOne.stream().anyMatch(h -> h.startsWith("F {") && h.contains("cracked=[bob]")));
        heardByOne.clear();
        assertThrows(StoreUnavailable.class, () -> one.remotePresence("cracked")); // a blocking call fails
        within(() -> heardByOne.contains("F {} []"));
        assertFalse(heardByOne.contains("Y"), "a node whose calls failed while Redis answered resynchronized everything: " + heardByOne);
        assertTrue(one.reachable());
    }

    static void within(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 10 s");
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    /** Records what a node hears. */
    private record Recorder(List<String> heard) implements Cluster.Listener {
        @Override
        public void publication(String room, String epoch, long offset, String payload) {
            heard.add("P " + room + " " + offset);
        }

        @Override
        public void reset(String room, String epoch, long offset) {
            heard.add("R " + room + " " + epoch + " " + offset);
        }

        @Override
        public void presenceChanged(String room) {
            heard.add("C " + room);
        }

        @Override
        public void direct(String user, String frame) {
            heard.add("D " + user + " " + frame);
        }

        @Override
        public void disconnect(String user, int code, String reason) {
            heard.add("X " + user + " " + code + " " + reason);
        }

        @Override
        public void removeFromRoom(String room, String user) {
            heard.add("K " + room + " " + user);
        }

        @Override
        public String answer(String question, String argument) {
            return "[\"" + argument + "\"]";
        }

        @Override
        public void resynchronize() {
            heard.add("Y");
        }

        @Override
        public void repair(Map<String, java.util.Set<String>> presence, java.util.Set<String> users) {
            heard.add("F " + new java.util.TreeMap<>(presence) + " " + new java.util.TreeSet<>(users));
        }

        @Override
        public void nodesChanged() {
        }

        @Override
        public void nodeLost(String node, java.util.Set<String> users, Map<String, java.util.Set<String>> rooms) {
            heard.add("L " + node + " " + new java.util.TreeSet<>(users) + " " + new java.util.TreeMap<>(rooms));
        }
    }
}
