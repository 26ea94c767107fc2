package dev.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node gone from the cluster — silent (as after SIGKILL) or stopped — is told, with the users and room members it
 * held, to exactly one of the nodes that remain, on a real redis-server (heartbeats every 100 ms, dead after 2 s); on a
 * Redis Cluster: {@link ShardedLostNodesTest}.
 */
class LostNodesTest {

    /** A node, the scheduler its heartbeats run on (shut down: it falls silent), and what it was told of lost nodes. */
    private record Node(RedisCluster cluster, ScheduledExecutorService timers, List<String> lost) {
    }

    private TestRedis server;
    private final List<Node> nodes = new ArrayList<>();
    /** Every node's lost-node notices, in the order told. */
    private final java.util.concurrent.BlockingQueue<String> told = new java.util.concurrent.LinkedBlockingQueue<>();
    private final Set<Node> stopped = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    TestRedis startRedis() throws Exception {
        return new RedisServer();
    }

    @BeforeEach
    void start() throws Exception {
        server = startRedis();
        for (int i = 0; i < 3; i++) {
            List<String> lost = new CopyOnWriteArrayList<>();
            RedisCluster cluster = new RedisCluster(server.link("lost"));
            ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
            cluster.start(new QuietListener() {
                @Override
                public void nodeLost(String node, Set<String> users, Map<String, Set<String>> rooms) {
                    Map<String, Set<String>> sorted = new java.util.TreeMap<>();
                    rooms.forEach((room, members) -> sorted.put(room, new java.util.TreeSet<>(members)));
                    lost.add(node + " " + new java.util.TreeSet<>(users) + " " + sorted);
                    told.add(node + " " + new java.util.TreeSet<>(users) + " " + sorted);
                }
            }, Thread::new, timers);
            nodes.add(new Node(cluster, timers, lost));
        }
        RedisEngineContract.within(() -> nodes.stream().allMatch(n -> n.cluster().reachable() && n.cluster().nodes() == 3));
    }

    @AfterEach
    void stop() {
        for (Node n : nodes) {
            if (stopped.add(n)) {
                n.cluster().stop();
            }
            n.timers().shutdownNow();
        }
        server.close();
    }

    /** What the node held: ann in two rooms, bob in one. */
    private static String holding(RedisCluster node) {
        node.userConnections("ann", 2);
        node.userConnections("bob", 1);
        node.presence("desk", "ann", 2);
        node.presence("desk", "bob", 1);
        node.presence("hall", "ann", 1);
        return node.node() + " [ann, bob] {desk=[ann, bob], hall=[ann]}";
    }

    private List<String> toldToOthers(Node gone) {
        return nodes.stream().filter(n -> n != gone).flatMap(n -> n.lost().stream()).toList();
    }

    @Test
    void aSilentNodeIsToldToExactlyOneSurvivorWithWhatItHeld() throws Exception {
        Node victim = nodes.get(0);
        String held = holding(victim.cluster());
        RedisEngineContract.within(() -> {
            try {
                return nodes.get(1).cluster().remotePresence("desk").size() == 2;
            } catch (StoreUnavailable e) {
                return false;
            }
        });
        victim.timers().shutdownNow(); // no more heartbeats, nothing withdrawn: as a node killed with SIGKILL
        assertEquals(held, told.poll(10, TimeUnit.SECONDS), "a survivor is told within the node timeout (2 s)");
        // every survivor beats ~20 times more: none is told a second time
        assertEquals(null, told.poll(2, TimeUnit.SECONDS), "told to one survivor only: " + toldToOthers(victim));
        assertEquals(List.of(held), toldToOthers(victim));
        assertEquals(Map.of(), nodes.get(1).cluster().remotePresence("desk"), "its members left presence");
    }

    @Test
    void aStoppingNodeHandsWhatItHeldToOneOfTheOthers() throws Exception {
        Node leaving = nodes.get(2);
        String held = holding(leaving.cluster());
        RedisEngineContract.within(() -> {
            try {
                return nodes.get(0).cluster().remoteConnections("bob") == 1;
            } catch (StoreUnavailable e) {
                return false;
            }
        });
        leaving.cluster().stop();
        stopped.add(leaving);
        RedisEngineContract.within(() -> !toldToOthers(leaving).isEmpty());
        assertEquals(List.of(held), toldToOthers(leaving));
        assertTrue(leaving.lost().isEmpty(), "the stopping node does not tell itself");
        assertEquals(0, nodes.get(0).cluster().remoteConnections("bob"), "withdrawn at once");
    }

    @Test
    void aNodeWithNobodyLeavesNothingToTell() throws Exception {
        Node idle = nodes.get(1);
        idle.cluster().stop();
        stopped.add(idle);
        RedisEngineContract.within(() -> nodes.get(0).cluster().nodes() == 2 && nodes.get(2).cluster().nodes() == 2);
        assertEquals(List.of(), toldToOthers(idle));
    }
}
