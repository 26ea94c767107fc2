package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.cluster.RedisServer;
import dev.switchboard.cluster.RedisServers;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two nodes on three independent Redis servers, as users without Redis Cluster run them: Payara Micro (node A) and
 * WildFly (node B), each a server process with the built WAR and {@code SWITCHBOARD_REDIS_SHARDS} (three
 * {@code redis-server}s, no replication, no persistence), a room on every server. Publications on A reach the members
 * on B in every room; a server killed (SIGKILL) while A publishes and started again empty: the member of its room gets
 * every publication in order or is told of the gap ({@code joined}, {@code recovered: false}) before anything after it
 * — never a silent loss — and the room of another server goes on untouched.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisServersIT {

    private static RedisServers redis;
    private static ClusterNodes.Node payara;
    private static ClusterNodes.Node wildfly;
    /** A room per server: server → room. */
    private static final Map<RedisServer, String> rooms = new IdentityHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        redis = new RedisServers(3);
        Map<String, String> settings = Map.of(
                "SWITCHBOARD_REDIS_SHARDS", String.join(",", redis.urls()),
                "SWITCHBOARD_REDIS_HEARTBEAT_MS", "500",
                "SWITCHBOARD_REDIS_NODE_TIMEOUT_MS", "5000",
                "SWITCHBOARD_RATE_PER_SECOND", "100000",
                "SWITCHBOARD_RATE_BURST", "100000",
                "SWITCHBOARD_API_KEYS", "it:" + Deployments.API_KEY); // the readiness probe's
        payara = ClusterNodes.Node.payara("payara-rs", settings).start();
        wildfly = ClusterNodes.Node.wildfly("wildfly-rs", settings).start();
        payara.awaitReady();
        wildfly.awaitReady();
        for (int i = 0; rooms.size() < 3; i++) {
            rooms.putIfAbsent(redis.serverOf("switchboard:{server-" + i + "}:meta"), "server-" + i);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (ClusterNodes.Node node : new ClusterNodes.Node[] {payara, wildfly}) {
            if (node != null) {
                node.kill();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @Order(1)
    void publicationsOnOneNodeReachTheOtherInRoomsOnEveryServer() throws Exception {
        RedisClusterIT.assertEveryRoomReached(payara, wildfly, rooms.values());
    }

    /** Whether the room's log on its server holds a publication (its meta's offset past 0). */
    private static boolean logged(String meta) {
        String offset = redis.command(meta, c -> c.hget(meta, "offset"));
        return offset != null && Long.parseLong(offset) > 0;
    }

    @Test
    @Order(2)
    void aServerKilledAndBackEmptyLosesNothingSilently() throws Exception {
        RedisServer heartbeats = redis.serverOf("switchboard:{nodes}"); // node membership: another story
        RedisServer broadcast = redis.serverOf("switchboard:events");
        RedisServer server = rooms.keySet().stream().filter(s -> s != heartbeats && s != broadcast).findFirst().orElseThrow();
        String room = rooms.get(server);
        String calm = rooms.entrySet().stream().filter(e -> e.getKey() != server).findFirst().orElseThrow().getValue();
        try (WsClient member = WsClient.connect(wildfly.ws()); WsClient publisher = WsClient.connect(payara.ws())) {
            for (String r : List.of(room, calm)) {
                RedisClusterIT.join(member, r);
                RedisClusterIT.join(publisher, r);
            }
            // 300 publications, then on until the room's log on its restarted server has one: what A published alone
            // meanwhile reached B's member only as a gap it was told of; what A publishes once it rejoined reaches it
            String meta = "switchboard:{" + room + "}:meta";
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int last = 0;
            for (int i = 1; i <= 300 || !logged(meta); i++) {
                assertTrue(System.nanoTime() < until, "A never published into the restarted server's log");
                last = i;
                if (i == 100) {
                    server.kill();
                } else if (i == 200) {
                    server.start(); // empty: the room's log and epoch are gone
                }
                publisher.send(msg("publish", "p" + i, "room", room, "data", Json.createValue(i)));
                publisher.skipTo("ack"); // acknowledged: by the shared log, or by A alone while it is away
                publisher.send(msg("publish", "c" + i, "room", calm, "data", Json.createValue(i)));
                publisher.skipTo("ack");
                TimeUnit.MILLISECONDS.sleep(15); // the publisher's pace, spreading the run over the outage
            }
            // where the room's log ends: B's member gets there by messages, or by being told (a joined at that position)
            String epoch = redis.command(meta, c -> c.hget(meta, "epoch"));
            long end = Long.parseLong(redis.command(meta, c -> c.hget(meta, "offset")));
            List<JsonObject> frames = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean lastSeen = false;
            while (!lastSeen) {
                assertTrue(System.nanoTime() < deadline, "B never reached the log's end " + epoch + "/" + end + ": "
                        + RedisClusterIT.tail(frames));
                JsonObject frame;
                try {
                    frame = member.next();
                } catch (AssertionError quiet) {
                    throw new AssertionError("B heard nothing more; the last frames: " + RedisClusterIT.tail(frames), quiet);
                }
                frames.add(frame);
                lastSeen = room.equals(frame.getString("room", null)) && frame.containsKey("epoch")
                        && epoch.equals(frame.getString("epoch")) && frame.getJsonNumber("offset").longValue() >= end;
            }
            int told = RedisClusterIT.check(room, frames);
            assertTrue(told >= 1, room + ": its server lost the log; the member must be told: " + RedisClusterIT.tail(frames));
            assertEquals(0, RedisClusterIT.check(calm, frames), calm + " is on a server that did not fail: never resynchronized");
            System.out.println("RedisServersIT: a server killed and started empty; the member of " + room + " was told "
                    + told + " time(s), received " + frames.stream().filter(f -> "message".equals(f.getString("type"))
                    && room.equals(f.getString("room"))).count() + " of " + last + " publications");
        }
    }
}
