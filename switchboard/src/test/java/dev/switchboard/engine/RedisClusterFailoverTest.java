package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.switchboard.cluster.RedisClusterServers;
import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import jakarta.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two engines on a real Redis Cluster (three masters, three replicas, {@code cluster-node-timeout} 1 s), a member of
 * each of three rooms on node B — one room per master — and node A publishing into all three while a master fails:
 * killed (SIGKILL; its replica promoted), its slot moved to another master, hung (SIGSTOP). What each member saw is
 * checked frame by frame ({@link FailoverRooms#settle}); the rooms of the other masters are not disturbed at all.
 */
class RedisClusterFailoverTest {

    private final EngineFixture fixture = new EngineFixture();
    private final Settings settings = EngineFixture.settings().queue(100_000)
            .room(new RoomPolicy(10_000, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0)).build();
    private RedisClusterServers redis;
    private final List<Hub> hubs = new ArrayList<>();
    private Hub a;
    private Hub b;
    private FailoverRooms rooms;
    /** The master's port → its room. */
    private final Map<Integer, String> roomOf = new LinkedHashMap<>();
    private int nodesMaster;

    @BeforeEach
    void start() throws Exception {
        redis = new RedisClusterServers();
        a = node();
        b = node();
        rooms = new FailoverRooms(a, redis.store("failover")); // the test's own view of the logs
        nodesMaster = redis.masterOf("failover:{nodes}");
        for (int i = 0; roomOf.size() < 3; i++) {
            roomOf.putIfAbsent(redis.masterOf("room-" + i), "room-" + i);
        }
        roomOf.values().forEach(room -> rooms.join(b, fixture, room));
    }

    private Hub node() {
        Hub hub = FailoverRooms.node(settings, fixture, redis.link("failover"));
        hubs.add(hub);
        return hub;
    }

    @AfterEach
    void stop() {
        hubs.forEach(Hub::shutdown);
        fixture.close();
        if (redis != null) {
            redis.close();
        }
    }

    /**
     * A room whose master is not the one holding the nodes' heartbeats (that master's failover is another story),
     * preferably the one the broadcast channel is subscribed on (lost with it, and repaired too).
     */
    private String victim() {
        int broadcast = redis.masterOf("failover:events");
        return roomOf.entrySet().stream().filter(e -> e.getKey() != nodesMaster)
                .sorted(java.util.Comparator.comparing(e -> e.getKey() == broadcast ? 0 : 1))
                .findFirst().orElseThrow().getValue();
    }

    @Test
    void aMasterKilledWhilePublishingLosesNothingSilently() throws Exception {
        String room = victim();
        int master = redis.masterOf(room);
        rooms.publishWhile(() -> {
            redis.kill(master);
            assertNotEquals(master, redis.awaitNewMasterOf(room, master, Duration.ofSeconds(20))); // its replica promoted
        });
        Map<String, Integer> told = rooms.settle();
        rooms.assertUndisturbedBut(room, told);
        System.out.println("Master killed: members told to resynchronize " + told);
    }

    @Test
    void aSlotMovedWhilePublishingIsFollowedToItsNewMaster() throws Exception {
        String room = victim();
        int from = redis.masterOf(room);
        int to = roomOf.keySet().stream().filter(p -> p != from).findFirst().orElseThrow();
        rooms.publishWhile(() -> {
            redis.moveSlot(room, to);
            assertEquals(to, redis.masterOf(room));
        });
        Map<String, Integer> told = rooms.settle();
        rooms.assertUndisturbedBut(room, told);
        System.out.println("Slot moved: members told to resynchronize " + told);
    }

    @Test
    void aHungMasterHoldsUpOnlyItsOwnRooms() throws Exception {
        String room = victim();
        int master = redis.masterOf(room);
        rooms.publishWhile(() -> {
            redis.hang(master, true);
            try {
                rooms.assertOthersGoOn(room, Duration.ofSeconds(2), "during the hang");
            } finally {
                redis.hang(master, false);
            }
        });
        Map<String, Integer> told = rooms.settle();
        rooms.assertUndisturbedBut(room, told);
        System.out.println("Master hung: members told to resynchronize " + told);
    }

    @Test
    void everySubscriptionDroppedAtOnceIsMadeAgainMasterByMaster() throws Exception {
        rooms.publishWhile(() -> {
            redis.dropSubscriptions(); // every node's pub/sub connection to every master, at once
            // publications keep reaching members once the subscriptions are back: one more into each room, within 5 s
            for (Map.Entry<String, TestTransport> e : rooms.members.entrySet()) {
                long offset = a.publish(e.getKey(), Json.createValue("after the drop")).offset();
                EngineFixture.within(Duration.ofSeconds(5), () -> FailoverRooms.offsets(e.getValue()).contains(offset),
                        () -> e.getKey() + " not resubscribed: " + FailoverRooms.tail(FailoverRooms.offsets(e.getValue())));
            }
        });
        Map<String, Integer> told = rooms.settle();
        System.out.println("Subscriptions dropped: members told to resynchronize " + told);
    }
}
