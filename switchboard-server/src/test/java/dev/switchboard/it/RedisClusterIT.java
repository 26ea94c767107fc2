package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.cluster.RedisClusterServers;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * Two nodes on a Redis Cluster, as users run them: Payara Micro (node A) and WildFly (node B), each a server process
 * with the built WAR and {@code SWITCHBOARD_REDIS_CLUSTER_NODES} (the six seeds of a real cluster of three masters and
 * three replicas, {@code cluster-require-full-coverage no}), rooms on every master. Publications on A reach the members
 * on B in every room; a master killed (SIGKILL) while A publishes: its replica promoted, every member of its room gets
 * every publication in order or is told of the gap ({@code joined}, {@code recovered: false}) before anything after it
 * — never a silent loss — and the rooms of the other masters go on untouched.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterIT {

    private static RedisClusterServers redis;
    private static ClusterNodes.Node payara;
    private static ClusterNodes.Node wildfly;
    /** A room per master: master's port → room. */
    private static final Map<Integer, String> rooms = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        redis = new RedisClusterServers();
        Map<String, String> settings = Map.of(
                "SWITCHBOARD_REDIS_CLUSTER_NODES", String.join(",", redis.seeds()),
                "SWITCHBOARD_REDIS_HEARTBEAT_MS", "500",
                "SWITCHBOARD_REDIS_NODE_TIMEOUT_MS", "5000",
                "SWITCHBOARD_RATE_PER_SECOND", "100000",
                "SWITCHBOARD_RATE_BURST", "100000",
                "SWITCHBOARD_API_KEYS", "it:" + Deployments.API_KEY); // the readiness probe's
        payara = ClusterNodes.Node.payara("payara-rc", settings).start();
        wildfly = ClusterNodes.Node.wildfly("wildfly-rc", settings).start();
        payara.awaitReady();
        wildfly.awaitReady();
        for (int i = 0; rooms.size() < 3; i++) {
            rooms.putIfAbsent(redis.masterOf("switchboard:{shard-" + i + "}:meta"), "shard-" + i);
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
    void publicationsOnOneNodeReachTheOtherInRoomsOnEveryMaster() throws Exception {
        assertEveryRoomReached(payara, wildfly, rooms.values());
    }

    /** Twenty publications on {@code a} into each of {@code rooms}: a member on {@code b} gets them all, in order. */
    static void assertEveryRoomReached(ClusterNodes.Node a, ClusterNodes.Node b, java.util.Collection<String> rooms)
            throws Exception {
        try (WsClient member = WsClient.connect(b.ws()); WsClient publisher = WsClient.connect(a.ws())) {
            for (String room : rooms) {
                join(member, room);
                join(publisher, room); // a publisher joins first
            }
            for (int i = 1; i <= 20; i++) {
                for (String room : rooms) {
                    publisher.send(msg("publish", room + i, "room", room, "data", Json.createValue(i)));
                    assertEquals(i, publisher.skipTo("ack").getInt("offset"), "offsets assigned by the room's own log");
                }
            }
            Map<String, List<Integer>> received = new LinkedHashMap<>();
            rooms.forEach(room -> received.put(room, new ArrayList<>()));
            for (int n = 0; n < 20 * rooms.size(); n++) {
                JsonObject message = member.skipTo("message");
                received.get(message.getString("room")).add(message.getInt("data"));
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                expected.add(i);
            }
            rooms.forEach(room -> assertEquals(expected, received.get(room), room + ": every publication, in order"));
        }
    }

    @Test
    @Order(2)
    void aMasterKilledWhilePublishingLosesNothingSilently() throws Exception {
        int heartbeats = redis.masterOf("switchboard:{nodes}"); // its failover delays heartbeats: another story
        int broadcast = redis.masterOf("switchboard:events"); // preferably: the broadcast channel is lost with it too
        int master = rooms.keySet().stream().filter(p -> p != heartbeats)
                .sorted(java.util.Comparator.comparing(p -> p == broadcast ? 0 : 1)).findFirst().orElseThrow();
        String room = rooms.get(master);
        String calm = rooms.entrySet().stream().filter(e -> e.getKey() != master).findFirst().orElseThrow().getValue();
        try (WsClient member = WsClient.connect(wildfly.ws()); WsClient publisher = WsClient.connect(payara.ws())) {
            for (String r : List.of(room, calm)) {
                join(member, r);
                join(publisher, r);
            }
            int last = 300;
            for (int i = 1; i <= last; i++) {
                if (i == 100) {
                    redis.kill(master);
                }
                publisher.send(msg("publish", "p" + i, "room", room, "data", Json.createValue(i)));
                publisher.skipTo("ack"); // acknowledged: by the shared log, or by A alone while it is away
                publisher.send(msg("publish", "c" + i, "room", calm, "data", Json.createValue(i)));
                publisher.skipTo("ack");
                TimeUnit.MILLISECONDS.sleep(15); // the publisher's pace, spreading the run over the failover
            }
            redis.awaitNewMasterOf("switchboard:{" + room + "}:meta", master, Duration.ofSeconds(20));
            List<JsonObject> frames = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean lastSeen = false;
            while (!lastSeen) {
                assertTrue(System.nanoTime() < deadline, "the last publication never reached B: " + tail(frames));
                JsonObject frame;
                try {
                    frame = member.next();
                } catch (AssertionError quiet) {
                    throw new AssertionError("B heard nothing more; the last frames: " + tail(frames), quiet);
                }
                frames.add(frame);
                lastSeen = "message".equals(frame.getString("type")) && room.equals(frame.getString("room"))
                        && frame.getInt("data") == last;
            }
            int told = check(room, frames);
            assertEquals(0, check(calm, frames), calm + " is on a master that did not fail: never resynchronized");
            System.out.println("RedisClusterIT: master " + master + " killed; the member of " + room + " was told "
                    + told + " time(s), received " + frames.stream().filter(f -> "message".equals(f.getString("type"))
                    && room.equals(f.getString("room"))).count() + " of " + last + " publications");
        }
    }

    static void join(WsClient client, String room) throws InterruptedException {
        client.send(Json.createObjectBuilder().add("type", "join").add("id", "j-" + room).add("room", room).build());
        JsonObject joined = client.skipTo("joined");
        assertEquals("j-" + room, joined.getString("re"), "answer to the join: " + joined);
    }

    /**
     * Frame by frame for {@code room}: messages in offset order within an epoch; a resynchronization ({@code joined}
     * without {@code re}, {@code recovered: false}) before anything after a gap. Returns the resynchronizations.
     */
    static int check(String room, List<JsonObject> frames) {
        String epoch = null;
        long offset = -1;
        int told = 0;
        for (JsonObject f : frames) {
            if (!f.containsKey("room") || !room.equals(f.getString("room"))) {
                continue;
            }
            if ("joined".equals(f.getString("type"))) {
                told++;
                assertEquals(Boolean.FALSE, f.getBoolean("recovered"), room + ": told, not recovered: " + f);
                epoch = f.getString("epoch");
                offset = f.getJsonNumber("offset").longValue();
            } else if ("message".equals(f.getString("type"))) {
                if (epoch != null) {
                    assertEquals(epoch, f.getString("epoch"), room + ": a message of another epoch, untold: " + f);
                    assertEquals(offset + 1, f.getJsonNumber("offset").longValue(), room + ": a silent gap or a duplicate: " + f);
                }
                epoch = f.getString("epoch");
                offset = f.getJsonNumber("offset").longValue();
            }
        }
        return told;
    }

    static List<JsonObject> tail(List<JsonObject> frames) {
        return frames.subList(Math.max(0, frames.size() - 5), frames.size());
    }
}
