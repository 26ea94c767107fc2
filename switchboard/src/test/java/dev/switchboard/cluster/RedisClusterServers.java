package dev.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A real Redis Cluster of the test's own: three masters and three replicas of Debian's {@code redis-server} on free
 * loopback ports (each with its bus port, +10000), {@code cluster-node-timeout} 1 s (a killed master's replica takes
 * over in about 2 s), without persistence; made with {@code redis-cli --cluster create}. An operator's tools: the
 * master of a key, SIGKILL, SIGSTOP/SIGCONT, and moving a slot from one master to another.
 */
public final class RedisClusterServers implements TestRedis {

    private final Path dir = Files.createTempDirectory("redis-cluster");
    private final List<Integer> ports = new ArrayList<>();
    private final Map<Integer, Process> processes = new HashMap<>();
    private final RedisClient admin = RedisClient.create();
    private final RedisClusterClient client;
    private final List<Redis> views = new ArrayList<>();
    private final StatefulRedisClusterConnection<String, String> connection;

    public RedisClusterServers() throws IOException, InterruptedException {
        int base = freeBase();
        for (int i = 0; i < 6; i++) {
            int port = base + i;
            ports.add(port);
            processes.put(port, new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
                    "--cluster-node-timeout", "1000", "--save", "", "--appendonly", "no", "--cluster-require-full-coverage", "no", "--dir", dir.toString(),
                    // a replica is only promoted once it has synchronized: at once, not after the default 5 s delay
                    "--repl-diskless-sync-delay", "0")
                    .redirectErrorStream(true).redirectOutput(dir.resolve(port + ".log").toFile()).start());
        }
        for (int port : ports) {
            within(Duration.ofSeconds(10), () -> answers(port), "redis-server on " + port + " did not start");
        }
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        ports.forEach(p -> create.add("127.0.0.1:" + p));
        create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        Process made = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(dir.resolve("create.log").toFile()).start();
        assertTrue(made.waitFor(30, TimeUnit.SECONDS) && made.exitValue() == 0, "redis-cli --cluster create failed: "
                + Files.readString(dir.resolve("create.log")));
        for (int port : ports) {
            within(Duration.ofSeconds(20), () -> clusterInfo(port).contains("cluster_state:ok"),
                    "the cluster is not ok on " + port);
        }
        for (int port : masters()) {
            within(Duration.ofSeconds(20), () -> node(port, c -> c.info("replication")).contains("state=online"),
                    "the replica of " + port + " is not in sync");
        }
        client = RedisClusterClient.create(RedisURI.create("127.0.0.1", ports.get(0)));
        connection = client.connect();
    }

    /** {@code host:port,…} of every node, as {@code switchboard.redis.cluster-nodes} takes them. */
    public List<String> seeds() {
        return ports.stream().map(p -> "127.0.0.1:" + p).toList();
    }

    @Override
    public Redis link(String prefix) {
        return new Redis(new Redis.Config("", prefix, Duration.ofSeconds(1), Duration.ofMillis(100),
                Duration.ofSeconds(2), Duration.ofHours(1), seeds(), List.of()));
    }

    /** A log store on a link of its own, connected (an operator's view of the rooms' logs); shut with the cluster. */
    public LogStore store(String prefix) {
        Redis view = link(prefix);
        assertTrue(view.connect(message -> { }, "view", java.util.Set::of), "the view's link connects");
        views.add(view);
        return new RedisLogStore(view);
    }

    @Override
    public <T> T command(String key, Function<RedisClusterCommands<String, String>, T> command) { // routed by Lettuce
        return command.apply(connection.sync());
    }

    @Override
    public void flushScripts() {
        for (int port : masters()) {
            node(port, c -> c.scriptFlush());
        }
    }

    /** The ports of the masters now, as the nodes themselves say. */
    public List<Integer> masters() {
        return ports.stream().filter(p -> processes.get(p).isAlive() && isMaster(p)).toList();
    }

    /** The port of the master that serves {@code key}'s slot now, as that master says (asked of every live node). */
    public int masterOf(String key) {
        int slot = SlotHash.getSlot(key);
        for (int port : masters()) {
            String owned = node(port, c -> c.clusterNodes()).lines().filter(l -> l.contains("myself")).findFirst().orElse("");
            String[] fields = owned.split(" "); // id address flags master ping pong epoch state slot…
            for (String range : java.util.Arrays.copyOfRange(fields, Math.min(8, fields.length), fields.length)) {
                if (range.matches("\\d+(-\\d+)?")) {
                    String[] bounds = range.split("-");
                    int from = Integer.parseInt(bounds[0]);
                    int to = bounds.length > 1 ? Integer.parseInt(bounds[1]) : from;
                    if (slot >= from && slot <= to) {
                        return port;
                    }
                }
            }
        }
        throw new AssertionError("no master serves slot " + slot);
    }

    /** Closes every pub/sub connection on every master ({@code CLIENT KILL TYPE pubsub}), as a network blip would. */
    public void dropSubscriptions() {
        for (int port : masters()) {
            node(port, c -> c.clientKill(io.lettuce.core.KillArgs.Builder.typePubsub()));
        }
    }

    /** SIGKILL, as a crashed machine. */
    public void kill(int port) throws InterruptedException {
        processes.get(port).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGSTOP ({@code hang = true}) or SIGCONT: a node that holds its connections and answers nothing. */
    public void hang(int port, boolean hang) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", hang ? "-STOP" : "-CONT", Long.toString(processes.get(port).pid())).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill did not signal " + port);
    }

    /**
     * Moves {@code key}'s slot from its master to the master on {@code to}, as {@code redis-cli --cluster reshard} does:
     * importing/migrating, {@code MIGRATE} of each key, then the slot's new owner told to every master.
     */
    public void moveSlot(String key, int to) {
        int slot = SlotHash.getSlot(key);
        int from = masterOf(key);
        String source = node(from, RedisCommands::clusterMyId);
        String target = node(to, RedisCommands::clusterMyId);
        node(to, c -> c.clusterSetSlotImporting(slot, source));
        node(from, c -> c.clusterSetSlotMigrating(slot, target));
        List<String> keys;
        while (!(keys = node(from, c -> c.clusterGetKeysInSlot(slot, 100))).isEmpty()) {
            for (String k : keys) {
                node(from, c -> c.migrate("127.0.0.1", to, k, 0, 5000));
            }
        }
        node(to, c -> c.clusterSetSlotNode(slot, target));
        node(from, c -> c.clusterSetSlotNode(slot, target));
        for (int port : masters()) {
            node(port, c -> c.clusterSetSlotNode(slot, target));
        }
    }

    /** Waits until a live master other than {@code old} serves {@code key}'s slot (a replica promoted); returns its port. */
    public int awaitNewMasterOf(String key, int old, Duration limit) throws InterruptedException {
        int[] now = {old};
        within(limit, () -> {
            try {
                now[0] = masterOf(key);
                return now[0] != old;
            } catch (AssertionError e) { // no master for the slot yet
                return false;
            }
        }, "no new master for " + key);
        return now[0];
    }

    /** Waits until every live node says the cluster is ok (after a failover). */
    public void awaitOk(Duration limit) throws InterruptedException {
        for (int port : ports) {
            if (processes.get(port).isAlive()) {
                within(limit, () -> clusterInfo(port).contains("cluster_state:ok"), "cluster not ok on " + port);
            }
        }
    }

    private <T> T node(int port, Function<RedisCommands<String, String>, T> command) {
        try (StatefulRedisConnection<String, String> c = admin.connect(RedisURI.builder().withHost("127.0.0.1").withPort(port)
                .withTimeout(Duration.ofSeconds(2)).build())) {
            return command.apply(c.sync());
        }
    }

    private boolean isMaster(int port) {
        try {
            return "master".equals(String.valueOf(node(port, RedisCommands::role).get(0)));
        } catch (RuntimeException e) { // hung or gone
            return false;
        }
    }

    private String clusterInfo(int port) {
        return node(port, RedisCommands::clusterInfo);
    }

    private boolean answers(int port) {
        try {
            return "PONG".equals(node(port, RedisCommands::ping));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void within(Duration limit, BooleanSupplier condition, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, failure + " within " + limit);
            TimeUnit.MILLISECONDS.sleep(50); // bounded poll of an external process
        }
    }

    /** Six consecutive ports free, and their bus ports (+10000). */
    private static int freeBase() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20000, 30000);
            boolean free = true;
            for (int i = 0; i < 6 && free; i++) {
                free = free(base + i) && free(base + i + 10000);
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no six free loopback ports");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        views.forEach(Redis::shutdown);
        connection.close();
        client.shutdown();
        admin.shutdown();
        processes.values().forEach(Process::destroyForcibly);
    }
}
