package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import jakarta.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 25's proof at scale, in one JVM: 100 engines on the in-process bus (which, as Redis does now, hands a node only
 * the events of the rooms it follows), 10 000 rooms whose sizes follow a seeded Zipf law, members placed at random or
 * with room affinity, one publication per room. Each node's inbound publications are counted by the bus and must equal
 * the number of rooms with members on that node — against 10 000 each when every node heard every room. Prints the
 * table of docs/benchmark/cluster-interest.md.
 */
class ClusterScaleSimulationTest {

    private static final int NODES = 100;
    private static final int ROOMS = 10_000;
    /** Members of the largest room; room k (1-based rank) has about LARGEST / k. */
    private static final int LARGEST = 2_000;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final EngineFixture fixture = new EngineFixture();
    private final List<MemoryBus> buses = new ArrayList<>();

    @AfterEach
    void stop() {
        buses.forEach(MemoryBus::close);
        fixture.close();
    }

    /** What one placement gave. */
    private record Outcome(String placement, int connections, int[] inbound, int[] expected) {
        String row() {
            int[] sorted = inbound.clone();
            Arrays.sort(sorted);
            double mean = Arrays.stream(inbound).average().orElse(0);
            return String.format("| %s | %d | %.0f | %d | %d | %d | %.1f %% |", placement, connections, mean,
                    sorted[sorted.length / 2], sorted[sorted.length - 1], ROOMS, 100.0 * mean / ROOMS);
        }
    }

    @Test
    void eachNodeHearsTheSumOverItsOwnRoomsNotEveryRoom() throws Exception {
        Outcome random = simulate("random", 0.0);
        Outcome affinity = simulate("affinity 0.9", 0.9);
        System.out.println("| placement | connections | inbound per node, mean | median | max | every room (before) | mean / before |");
        System.out.println("|---|---|---|---|---|---|---|");
        System.out.println(random.row());
        System.out.println(affinity.row());
        for (Outcome o : List.of(random, affinity)) {
            assertEquals(Arrays.toString(o.expected()), Arrays.toString(o.inbound()),
                    o.placement() + ": each node heard exactly the rooms it has members in");
        }
        assertTrue(Arrays.stream(affinity.inbound()).sum() < Arrays.stream(random.inbound()).sum(),
                "affinity concentrates a room's members: fewer nodes follow each room");
    }

    /** {@code affinity}: the chance that a member is placed on its room's home node (else on a random node). */
    private Outcome simulate(String placement, double affinity) throws Exception {
        MemoryBus bus = new MemoryBus(fixture);
        buses.add(bus);
        // presence off (one member at most) and small histories: the simulation counts publications, not presence
        Settings settings = EngineFixture.settings().queue(1000)
                .room(new RoomPolicy(10, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0, 1)).build();
        Hub[] nodes = new Hub[NODES];
        for (int n = 0; n < NODES; n++) {
            nodes[n] = bus.node("n" + n, settings);
        }
        Random random = new Random(25);
        int[] expected = new int[NODES];
        int connections = 0;
        AtomicInteger users = new AtomicInteger();
        for (int k = 1; k <= ROOMS; k++) {
            String room = "r" + k;
            int size = Math.max(1, LARGEST / k);
            int home = random.nextInt(NODES);
            Set<Integer> holders = new HashSet<>();
            int first = -1;
            for (int m = 0; m < size; m++) {
                int node = random.nextDouble() < affinity ? home : random.nextInt(NODES);
                Connection c = nodes[node].open(TestTransport.inline(), "u" + users.incrementAndGet(), "/ws", false);
                assertTrue(nodes[node].join(c, "j", room, null, null), "joined " + room + " on n" + node);
                holders.add(node);
                first = first < 0 ? node : first;
                connections++;
            }
            holders.forEach(node -> expected[node]++);
            nodes[first].publish(room, Json.createValue(k)); // from a node that has the room: nobody new follows it
        }
        int total = Arrays.stream(expected).sum();
        EngineFixture.within(WAIT, () -> heard(bus).stream().mapToInt(Integer::intValue).sum() >= total,
                () -> placement + ": heard " + heard(bus).stream().mapToInt(Integer::intValue).sum() + " of " + total);
        assertTrue(bus.violations.isEmpty(), bus.violations.toString());
        return new Outcome(placement, connections, heard(bus).stream().mapToInt(Integer::intValue).toArray(), expected);
    }

    private static List<Integer> heard(MemoryBus bus) {
        List<Integer> counts = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            AtomicInteger c = bus.inbound.get("n" + n);
            counts.add(c == null ? 0 : c.get());
        }
        return counts;
    }
}
