package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.cluster.RedisServer;
import dev.switchboard.cluster.RedisServers;
import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two engines on three independent redis-servers ({@code switchboard.redis.shards}, no replicas, no persistence), a
 * member of each of three rooms on node B — one room per server — and node A publishing into all three while one
 * server fails: killed and started again empty (what it held is gone: its rooms start a new epoch and their members
 * are told), or hung (SIGSTOP). The other servers' rooms go on meanwhile and are never disturbed; what each member saw
 * is checked frame by frame ({@link FailoverRooms#settle}).
 */
class RedisServersFailoverTest {

    private final EngineFixture fixture = new EngineFixture();
    private final Settings settings = EngineFixture.settings().queue(100_000)
            .room(new RoomPolicy(10_000, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0)).build();
    private RedisServers redis;
    private final List<Hub> hubs = new ArrayList<>();
    private FailoverRooms rooms;
    /** The server → its room. */
    private final Map<RedisServer, String> roomOf = new IdentityHashMap<>();

    @BeforeEach
    void start() throws Exception {
        redis = new RedisServers(3);
        Hub a = node();
        Hub b = node();
        rooms = new FailoverRooms(a, redis.store("failover")); // the test's own view of the logs
        for (int i = 0; roomOf.size() < 3; i++) {
            roomOf.putIfAbsent(redis.serverOf("room-" + i), "room-" + i);
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

    /** The room of a server that holds neither the nodes' heartbeats nor the broadcast channel (2 of 3 at most). */
    private String victim() {
        RedisServer heartbeats = redis.serverOf("failover:{nodes}");
        RedisServer broadcast = redis.serverOf("failover:events");
        return roomOf.entrySet().stream().filter(e -> e.getKey() != heartbeats && e.getKey() != broadcast)
                .findFirst().orElseThrow().getValue();
    }

    @Test
    void aServerKilledHoldsUpOnlyItsRoomsAndBackEmptyItsMembersAreTold() throws Exception {
        String room = victim();
        RedisServer server = redis.serverOf(room);
        rooms.publishWhile(() -> {
            server.kill();
            rooms.awaitPublished(1000); // a second or so into the victim's room too, alone meanwhile
            rooms.assertOthersGoOn(room, Duration.ofSeconds(2), "while a server is down");
            server.start(); // empty: the room's log and epoch are gone
        });
        Map<String, Integer> told = rooms.settle();
        rooms.assertUndisturbedBut(room, told);
        assertTrue(told.get(room) >= 1, "the members of a room whose server lost its log are told: " + told);
        System.out.println("Server killed and started empty: members told to resynchronize " + told);
    }

    @Test
    void aHungServerHoldsUpOnlyItsOwnRooms() throws Exception {
        String room = victim();
        RedisServer server = redis.serverOf(room);
        rooms.publishWhile(() -> {
            server.hang(true);
            try {
                rooms.awaitPublished(1000);
                rooms.assertOthersGoOn(room, Duration.ofSeconds(2), "during the hang");
            } finally {
                server.hang(false);
            }
        });
        Map<String, Integer> told = rooms.settle();
        rooms.assertUndisturbedBut(room, told);
        System.out.println("Server hung: members told to resynchronize " + told);
    }

    @Test
    void theHeartbeatsServerKilledStopsNoRoomOfTheOthers() throws Exception {
        RedisServer heartbeats = redis.serverOf("failover:{nodes}");
        String room = roomOf.get(heartbeats);
        rooms.publishWhile(() -> {
            heartbeats.kill();
            rooms.awaitPublished(1000);
            rooms.assertOthersGoOn(room, Duration.ofSeconds(2), "while the heartbeats' server is down");
            heartbeats.start();
        });
        Map<String, Integer> told = rooms.settle();
        rooms.assertUndisturbedBut(room, told);
        System.out.println("Heartbeats' server killed and started empty: members told to resynchronize " + told);
    }
}
