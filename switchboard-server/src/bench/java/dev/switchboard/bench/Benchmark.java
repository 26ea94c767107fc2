package dev.switchboard.bench;

import dev.switchboard.bench.WsLoad.Conn;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.stream.JsonGenerator;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Switchboard side by side with the bare container: Payara Micro and WildFly, each pinned to core 0, the generator
 * (this JVM, one selector thread) on core 1. Scenarios: idle connections (connect rate, RSS, heap retained per
 * connection), fan-out to N subscribers at the maximum and at a fixed rate (deliveries/s, latency from a timestamp
 * in the message, lost and duplicated counts, server CPU per delivery), request/reply (round trips/s, latency), and a
 * stalled reader among N (the others' latency with and without it). Writes {@code target/bench/results.json}, one SVG
 * chart per scenario and a summary table. Run: {@code mvn -Pbench verify} (README).
 */
public final class Benchmark {

    enum Variant {
        BARE("/bare/ws", null),
        /**
         * The same endpoint in an application that uses what Switchboard uses of the container, and nothing else: CDI
         * (a {@code beans.xml}) and Jakarta Security (an {@link BenchGuestMechanism} that lets every request through as
         * a guest). What any such application pays per handshake, measured beside the floor.
         */
        BARE_SECURED("/secured/ws", null),
        /**
         * A plain switchboard.v1 client of the Switchboard WAR built before a change ({@code -Dbench.before.war}),
         * deployed at {@code /before} on the same server: before and after measured in one run, round by round.
         */
        SWITCHBOARD_BEFORE("/before/ws", "switchboard.v1"),
        /** A client that negotiated switchboard.v1.batch, as the JavaScript client does. */
        SWITCHBOARD("/ws", "switchboard.v1.batch, switchboard.v1"),
        /** A plain switchboard.v1 client: one message per frame, as the bare loop sends. */
        SWITCHBOARD_V1("/ws", "switchboard.v1"),
        /**
         * As {@link #SWITCHBOARD_V1}, in a room ruled by the application's typed handler ({@link BenchRoomHandler}) and
         * with requests to a typed request handler ({@link BenchEchoHandler}): the cost of the application's code.
         */
        SWITCHBOARD_HANDLED("/ws", "switchboard.v1");

        final String path;
        final String subprotocol;

        Variant(String path, String subprotocol) {
            this.path = path;
            this.subprotocol = subprotocol;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        boolean switchboard() {
            return !floor();
        }

        /** Whether this is a plain {@code @ServerEndpoint} ({@link BareEndpoint}), not Switchboard. */
        boolean floor() {
            return this == BARE || this == BARE_SECURED;
        }

        /** The context root of a Switchboard variant's application ({@code ""}: the root). */
        String context() {
            return this == SWITCHBOARD_BEFORE ? "/before" : "";
        }

        String room() {
            return this == SWITCHBOARD_HANDLED ? HANDLED_ROOM : ROOM;
        }

        String echoMethod() {
            return this == SWITCHBOARD_HANDLED ? "echo-typed" : "echo";
        }
    }

    record Result(String server, String variant, String scenario, Map<String, Object> metrics) {
    }

    private static final byte[] KEY_T = "\"t\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_S = "\"s\":".getBytes(StandardCharsets.US_ASCII);
    private static final String ROOM = "bench";
    /** The room {@link BenchRoomHandler} rules. */
    static final String HANDLED_ROOM = "bench-handled";

    private final List<Result> results = new ArrayList<>();
    /** The variants this run measures: {@code -Dbench.variants} (labels), and the before variant only with its WAR. */
    private final List<Variant> variants = selectedVariants();
    /** The Switchboard WAR of before a change, deployed at {@code /before} ({@code -Dbench.before.war}); or none. */
    private static Path beforeWar() {
        String path = System.getProperty("bench.before.war", "").trim();
        return path.isEmpty() ? null : Path.of(path).toAbsolutePath();
    }

    private static List<Variant> selectedVariants() {
        String wanted = System.getProperty("bench.variants", "").trim();
        List<Variant> all = new ArrayList<>();
        for (Variant v : Variant.values()) {
            boolean asked = wanted.isEmpty() || List.of(wanted.split(",")).contains(v.label());
            if (asked && (v != Variant.SWITCHBOARD_BEFORE || beforeWar() != null)) {
                all.add(v);
            }
        }
        return all;
    }

    /**
     * {@code these} in round {@code r}'s order: rotated by one per round, so that each variant runs first, second, …
     * in turn: no variant always runs right after the server cleaned up another's 10 000 connections, and slow drift
     * of the machine does not always favour the same one.
     */
    private static Variant[] rotated(Variant[] these, int r) {
        Variant[] order = new Variant[these.length];
        for (int i = 0; i < these.length; i++) {
            order[i] = these[(i + r) % these.length];
        }
        return order;
    }

    /** Of {@code these}, the variants this run measures. */
    private Variant[] of(Variant... these) {
        return java.util.Arrays.stream(these).filter(variants::contains).toArray(Variant[]::new);
    }
    private final boolean quick = "quick".equals(System.getProperty("bench.scale", "full"));
    private final Path dir = Path.of(System.getProperty("bench.dir", "target/bench")).toAbsolutePath();
    private WsLoad load;
    private Server server;

    public static void main(String[] args) throws Exception {
        new Benchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        Files.createDirectories(dir);
        Path bare = dir.resolve("bare.war");
        ShrinkWrap.create(WebArchive.class, "bare.war").addClass(BareEndpoint.class).as(ZipExporter.class)
                .exportTo(bare.toFile(), true);
        // the server's WAR with the benchmark's two handlers added: they rule one room and one method, every other
        // room and method of the same WAR runs as without them
        Path war = dir.resolve("switchboard-bench.war");
        ShrinkWrap.createFromZipFile(WebArchive.class, Path.of(System.getProperty("switchboard.war", "target/switchboard.war")).toFile())
                .addClasses(BenchRoomHandler.class, BenchRoomHandler.Sample.class, BenchEchoHandler.class,
                        BenchEchoHandler.Stamp.class)
                .as(ZipExporter.class).exportTo(war.toFile(), true);
        Path secured = dir.resolve("secured.war");
        ShrinkWrap.create(WebArchive.class, "secured.war").addClasses(BareEndpoint.class, BenchGuestMechanism.class)
                .addAsWebInfResource(new org.jboss.shrinkwrap.api.asset.StringAsset(
                        "<beans xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"4.0\" bean-discovery-mode=\"annotated\"/>"),
                        "beans.xml")
                .as(ZipExporter.class).exportTo(secured.toFile(), true);
        Map<String, Path> wars = new java.util.LinkedHashMap<>();
        wars.put("ROOT.war", war);
        wars.put("bare.war", bare);
        if (variants.contains(Variant.BARE_SECURED)) {
            wars.put("secured.war", secured);
        }
        if (variants.contains(Variant.SWITCHBOARD_BEFORE)) {
            wars.put("before.war", beforeWar());
        }
        // as users run it: the default heartbeat (25 s), for the idle connections' cost and the reconnect storm
        Map<String, String> idle = Map.of(
                "SWITCHBOARD_RATE_PER_SECOND", "1000000", "SWITCHBOARD_RATE_BURST", "1000000",
                "SWITCHBOARD_MAX_CONNECTIONS_PER_USER", "100000",
                "SWITCHBOARD_MONITOR_ROLE", "*", // the benchmark reads /api/stats on loopback
                // the reconnect storm cuts every connection (POST /api/admin/reconnect) and publishes over the HTTP API
                "SWITCHBOARD_API_KEYS", "bench:" + ReconnectStorm.KEY,
                "SWITCHBOARD_API_RATE_PER_SECOND", "1000000", "SWITCHBOARD_API_RATE_BURST", "1000000");
        // the load scenarios: heartbeats every 5 s, so that the stalled reader of the slow-consumer scenario is closed
        // within its 15 s (two unanswered intervals)
        Map<String, String> loaded = new java.util.HashMap<>(idle);
        loaded.put("SWITCHBOARD_HEARTBEAT_MS", "5000");
        progress("Benchmark (%s scale): servers on core 0, generator on core 1; results in %s", quick ? "quick" : "full", dir);
        for (String name : System.getProperty("bench.servers", "payara,wildfly").split(",")) {
            if (only.contains("connect") || only.contains("storm")) {
                on(name, wars, idle, this::idleScenarios);
            }
            if (only.contains("failover")) {
                failover(name, wars, idle);
            }
            if (only.stream().anyMatch(s -> !List.of("connect", "storm", "failover").contains(s))) {
                on(name, wars, loaded, this::loadScenarios);
            }
            write(); // after each server, so that a failure later keeps what was measured
        }
    }

    /**
     * issue 27: the reconnect storm against a second node. Two nodes of {@code name} share a Redis; the clients connect
     * to the first, every connection there is cut with 1012, and they come back to the second, which recovers for
     * them what was published meanwhile (over its HTTP API). The bare floor's clients move to the second server's
     * floor. The second node is warmed as the others are; both nodes and Redis run on core 0.
     */
    private void failover(String name, Map<String, Path> wars, Map<String, String> env) throws Exception {
        progress("== %s: failover, two nodes and a Redis", name);
        Map<String, String> shared = new java.util.HashMap<>(env);
        Map<String, Path> apps = new java.util.LinkedHashMap<>(wars);
        apps.remove("before.war"); // an older Switchboard would share the Redis keys of this one
        try (BenchRedis redis = BenchRedis.start(dir.resolve("redis"))) {
            shared.put("SWITCHBOARD_REDIS_URL", redis.url());
            try (Server first = node(name, "node-a", apps, shared); Server second = node(name, "node-b", apps, shared);
                 WsLoad generator = new WsLoad()) {
                load = generator;
                server = second;
                warmUp(of(Variant.BARE, Variant.SWITCHBOARD_V1)); // the applications the two nodes have
                server = first;
                int n = Integer.getInteger("bench.storm", quick ? 1000 : 10_000);
                for (int r = 0; r < Integer.getInteger("bench.storm.rounds", 1); r++) {
                    for (Variant v : of(Variant.BARE, Variant.SWITCHBOARD_V1)) {
                        Map<String, Object> m = new ReconnectStorm(load, first, v, 100 + r).to(second).run(n);
                        m.put("round", r);
                        record(v, "failover-" + n, m);
                    }
                }
            } catch (Exception e) {
                progress("== %s: the failover run stopped: %s (results so far are kept)", name, e);
            }
        }
    }

    private Server node(String name, String node, Map<String, Path> wars, Map<String, String> env) throws Exception {
        Path home = dir.resolve(node);
        Files.createDirectories(home);
        return name.startsWith("payara") ? Server.payara(name, home, wars, env) : Server.wildfly(home, wars, env);
    }

    private interface Scenarios {
        void run() throws Exception;
    }

    /** Starts {@code name} with {@code env}, warms it up, runs {@code scenarios} and stops it. */
    private void on(String name, Map<String, Path> wars, Map<String, String> env, Scenarios scenarios) throws Exception {
        progress("== %s: starting (%s)", name, variants);
        try (Server s = name.startsWith("payara") ? Server.payara(name, dir, wars, env) : Server.wildfly(dir, wars, env);
             WsLoad generator = new WsLoad()) {
            server = s;
            load = generator;
            progress("== %s ready (pid %d, port %d)", name, s.pid(), s.port);
            try {
                warmUp();
                scenarios.run();
            } catch (Exception e) {
                progress("== %s: the run stopped: %s (results so far are kept)", name, e);
            }
        }
    }

    private final List<String> only = List.of(System.getProperty("bench.scenarios", "connect,storm,ramp,fanout,steady,churn,echo,slow,soak").split(","));

    /** {@code -Dbench.soak}: how long the soak runs, e.g. {@code 30m}, {@code 90s}; 3 minutes (quick: 1) unless set. */
    private int soakSeconds() {
        String d = System.getProperty("bench.soak", quick ? "1m" : "3m").trim().toLowerCase(Locale.ROOT);
        int n = Integer.parseInt(d.replaceAll("[^0-9]", ""));
        return d.endsWith("h") ? n * 3600 : d.endsWith("m") ? n * 60 : n;
    }

    /** Idle connections and the reconnect storm, plain clients, each round alternating the bare floor and Switchboard. */
    private void idleScenarios() throws Exception {
        String idleSizes = System.getProperty("bench.connect", "").trim();
        int[] idle = !idleSizes.isEmpty()
                ? java.util.Arrays.stream(idleSizes.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray()
                : quick ? new int[] {1000} : new int[] {10_000};
        int rounds = quick ? 1 : Integer.getInteger("bench.rounds", 3);
        for (int n : only.contains("connect") ? idle : new int[0]) {
            // a round not recorded first: the handshake's own path is still being compiled after the warm-up (Payara's
            // floor made 2 220, 3 329 and 4 032 connections a second in three rounds without it)
            for (int r = quick ? 0 : -1; r < rounds; r++) {
                for (Variant v : rotated(of(Variant.BARE, Variant.BARE_SECURED, Variant.SWITCHBOARD_V1,
                        Variant.SWITCHBOARD_BEFORE), Math.max(0, r))) {
                    connect(v, n, r);
                }
            }
        }
        // issue 27: N clients, every connection cut with 1012, back with the JS client's backoff (Switchboard: recovering
        // what was published meanwhile); -Dbench.storm=N (default 10 000, quick 1 000)
        int storm = Integer.getInteger("bench.storm", quick ? 1000 : 10_000);
        for (int r = 0; r < (only.contains("storm") ? Integer.getInteger("bench.storm.rounds", 1) : 0); r++) {
            // not the before variant: the storm cuts Switchboard's connections through POST /api/admin/reconnect (issue 27)
            for (Variant v : of(Variant.BARE, Variant.SWITCHBOARD_V1)) {
                Map<String, Object> m = new ReconnectStorm(load, server, v, r).run(storm);
                m.put("round", r);
                record(v, "storm-" + storm, m);
            }
        }
    }

    private void loadScenarios() throws Exception {
        // RELIABILITY.md item 21: 2 000 connections ramped at 50/s and held (quick: 500, held 10 s)
        for (Variant v : only.contains("ramp") ? of(Variant.BARE, Variant.SWITCHBOARD) : new Variant[0]) {
            ramp(v, quick ? 500 : 2000, 50, quick ? 10 : 30);
        }
        String sizes = System.getProperty("bench.fanout", "").trim();
        int[] fanout = !sizes.isEmpty()
                ? java.util.Arrays.stream(sizes.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray()
                : quick ? new int[] {1000} : new int[] {1000, 10_000};
        int rounds = quick ? 1 : Integer.getInteger("bench.rounds", 3);
        for (int n : only.contains("fanout") ? fanout : new int[0]) {
            for (int r = 0; r < rounds; r++) {
                for (Variant v : rotated(variants.toArray(new Variant[0]), r)) { // see rotated
                    fanout(v, n, 0, r);
                }
            }
            for (int r = 0; r < rounds; r++) {
                for (Variant v : rotated(variants.toArray(new Variant[0]), r)) {
                    fanoutWindow(v, n, WINDOW, r);
                }
            }
            for (Variant v : variants) {
                fanout(v, n, 20_000 / n, 0); // 20 000 deliveries/s
            }
        }
        // RELIABILITY.md item 22: a steady trickle, 1 publication/s to 2 000 subscribers (its p95 and p99)
        for (Variant v : only.contains("steady") ? variants.toArray(new Variant[0]) : new Variant[0]) {
            fanout(v, 2000, 1, 0);
        }
        // RELIABILITY.md item 23: 20 % of 2 000 subscribers replaced per minute while 10 publications/s go out
        for (Variant v : only.contains("churn") ? of(Variant.BARE, Variant.SWITCHBOARD) : new Variant[0]) {
            churn(v, quick ? 500 : 2000, 10, 0.20, quick ? 30 : 60, 0, 0, "churn-" + (quick ? 500 : 2000));
        }
        // RELIABILITY.md item 24: a soak — 500 subscribers, 20 publications/s, 20 %/min churn, for -Dbench.soak — with
        // the server's heap after a full GC, its threads and connections sampled and charted (Switchboard only: the
        // soak looks for what the product leaks; the bare endpoint holds nothing to leak)
        if (only.contains("soak")) {
            int seconds = soakSeconds();
            churn(Variant.SWITCHBOARD, 500, 20, 0.20, seconds, 100, Math.max(10, seconds / 30), "soak-" + seconds + "s");
        }
        for (int r = 0; r < (only.contains("echo") ? rounds : 0); r++) {
            for (Variant v : rotated(variants.toArray(new Variant[0]), r)) {
                echo(v, 100, quick ? 5 : 10, r);
            }
        }
        if (only.contains("slow")) {
            slow(1000, 20, false);
            slow(1000, 20, true);
        }
    }

    /** Publications in flight in the windowed fan-out: published and not yet delivered to every subscriber. */
    static final int WINDOW = 16;

    // ------------------------------------------------------------------ scenarios

    /**
     * Every variant is warmed alike before anything is measured, so the JIT has compiled the paths each one takes:
     * request/reply for 20 s (quick: 5 s) and two bursts of 100 publications to 1 000 subscribers, per variant, in turn.
     * Nothing of it is recorded.
     */
    private void warmUp() throws Exception {
        warmUp(variants.toArray(new Variant[0]));
    }

    private void warmUp(Variant... these) throws Exception {
        long started = System.nanoTime();
        for (Variant v : these) {
            echo(v, 100, quick ? 5 : 20, -1);
            fanout(v, 1000, 0, -1);
            fanout(v, 1000, 0, -1);
        }
        progress("   warmed up in %d s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    /** N idle connections: connect rate, RSS and heap retained per connection. */
    private void connect(Variant v, int n, int round) throws Exception {
        String classes0 = server.fullHistogram(); // a full GC first
        long heap0 = Server.liveKb(classes0);
        long rss0 = server.rssKb();
        Clients clients = new Clients(v);
        clients.idle = true;
        // -Dbench.jfr=true: where a handshake's CPU goes (a JFR recording of the server while the clients connect)
        String jfr = Boolean.getBoolean("bench.jfr") ? server.name + "-" + v.label() + "-connect-" + n : null;
        if (jfr != null) {
            server.jfrStart(jfr);
        }
        long cpu0 = server.cpuNanos();
        long start = System.nanoTime();
        List<Conn> conns = clients.open(n, 120);
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpu = server.cpuNanos() - cpu0;
        if (jfr != null) {
            server.jfrStop(jfr, dir.resolve(jfr + ".jfr"));
        }
        String classes = server.fullHistogram();
        long heap = Server.liveKb(classes);
        long rss = server.rssKb();
        // what the connections hold, for whoever wants to cut it: the largest classes on the heap, and every class's
        // growth per connection with the owners it adds up to (Retained)
        Files.writeString(dir.resolve("histogram-" + server.name + "-" + v.label() + "-" + n + ".txt"),
                classes.lines().limit(60).collect(java.util.stream.Collectors.joining("\n")));
        Files.writeString(dir.resolve("retained-" + server.name + "-" + v.label() + "-" + n + ".txt"),
                Retained.perConnection(classes0, classes, Math.max(1, clients.ready.get())));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("round", round);
        m.put("connections", n);
        m.put("opened", clients.ready.get());
        m.put("failed", clients.failed.get());
        m.put("connectsPerSecond", Math.round(clients.ready.get() / seconds));
        // the server's CPU per handshake: less at the mercy of the machine's drift than the rate
        m.put("serverCpuMicrosPerConnect", round2(cpu / 1000.0 / Math.max(1, clients.ready.get())));
        m.put("heapPerConnectionBytes", Retained.bytesPerConnection(classes0, classes, Math.max(1, clients.ready.get())));
        m.put("heapRetainedBytesPerConnection", Math.round((heap - heap0) * 1024.0 / Math.max(1, clients.ready.get())));
        m.put("rssBytesPerConnection", Math.round((rss - rss0) * 1024.0 / Math.max(1, clients.ready.get())));
        m.put("heapAfterGcMb", heap / 1024);
        m.put("rssMb", rss / 1024);
        closeAll(conns, v);
        // the baseline is taken again once the server let them go: the lower of the two is the state without them
        long heapAfter = server.heapAfterGcKb();
        long base = Math.min(heap0, heapAfter);
        m.put("heapAfterGcKbBefore", heap0);
        m.put("heapAfterGcKbHeld", heap);
        m.put("heapAfterGcKbClosed", heapAfter);
        m.put("heapRetainedBytesPerConnection", Math.round((heap - base) * 1024.0 / Math.max(1, clients.ready.get())));
        if (round >= 0) {
            record(v, "connect-" + n, m);
        }
    }

    /**
     * Connections ramped at {@code perSecond} up to {@code n}, then held for {@code holdSeconds}: how many opened and
     * failed, how many the server closed while they were held (by close code: a heartbeat or an idle timeout that
     * should not fire, a limit), the ramp's real length, and the heap after GC and RSS with them held.
     */
    private void ramp(Variant v, int n, int perSecond, int holdSeconds) throws Exception {
        long heap0 = server.heapAfterGcKb();
        Clients clients = new Clients(v);
        clients.idle = true;
        List<Conn> conns = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<Integer, AtomicInteger> closes = new java.util.concurrent.ConcurrentHashMap<>();
        WsLoad.Handler tracking = new WsLoad.Handler() {
            @Override
            public void opened(Conn conn) {
                conns.add(conn);
                clients.opened(conn);
            }

            @Override
            public void text(Conn conn, byte[] buf, int off, int len) {
                clients.text(conn, buf, off, len);
            }

            @Override
            public void closed(Conn conn, int code) {
                closes.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
                clients.closed(conn, code);
            }

            @Override
            public void failed(Conn conn, Exception e) {
                clients.failed(conn, e);
            }
        };
        long start = System.nanoTime();
        long interval = 1_000_000_000L / perSecond;
        for (int i = 0; i < n; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // the ramp's pace
            }
            load.connect("127.0.0.1", server.port, v.path, v.subprotocol, tracking);
        }
        double rampSeconds = (System.nanoTime() - start) / 1e9;
        TimeUnit.SECONDS.sleep(holdSeconds); // held: the scenario's length
        long heap = server.heapAfterGcKb();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("connections", n);
        m.put("ratePerSecond", perSecond);
        m.put("rampSeconds", round2(rampSeconds));
        m.put("heldSeconds", holdSeconds);
        m.put("opened", clients.ready.get());
        m.put("failed", clients.failed.get());
        Map<String, Integer> codes = new java.util.TreeMap<>();
        closes.forEach((code, count) -> codes.put(Integer.toString(code), count.get()));
        m.put("closedWhileHeld", codes);
        m.put("heapAfterGcMb", heap / 1024);
        m.put("heapRetainedBytesPerConnection", Math.round((heap - heap0) * 1024.0 / Math.max(1, clients.ready.get())));
        m.put("rssMb", server.rssKb() / 1024);
        record(v, "ramp-" + n, m);
        closeAll(new ArrayList<>(conns), v);
    }

    /**
     * Churn during a broadcast: {@code n} subscribers in one room and a publisher at {@code perSecond}; every second
     * {@code churnPerMinute / 60} of the subscribers drop (the socket closed, no close frame) and as many new ones join,
     * for {@code seconds}. Reported: subscribers replaced; for those connected throughout, publications lost and
     * duplicated (0 expected) and latency; the server's connections at the end of the churn (n + 1 expected); after
     * everyone left, whether the server let every connection go and its heap after GC beside the baseline before.
     * With {@code keep} > 0 (the soak), that many subscribers are never dropped and the rest churn on and on, the
     * newcomers too; loss is counted on the kept ones. With {@code sampleEvery} > 0, the server's heap after a full
     * GC, threads and connections are sampled that often (seconds) and charted.
     */
    private void churn(Variant v, int n, int perSecond, double churnPerMinute, int seconds, int keep, int sampleEvery,
                       String scenario) throws Exception {
        long heap0 = server.heapAfterGcKb();
        List<long[]> samples = new ArrayList<>(); // seconds, heap after GC (KB), threads, connections
        Clients subscribers = new Clients(v);
        List<Conn> stable = new ArrayList<>(subscribers.open(n, 120));
        List<Conn> kept = new ArrayList<>(stable.subList(0, Math.min(keep, stable.size())));
        List<Conn> churnable = keep > 0 ? java.util.Collections.synchronizedList(new ArrayList<>(stable.subList(kept.size(), stable.size())))
                : stable;
        Clients publishers = new Clients(v);
        Conn publisher = publishers.open(1, 30).get(0);
        Clients newcomers = new Clients(v);
        List<Conn> joinedLater = java.util.Collections.synchronizedList(new ArrayList<>());
        WsLoad.Handler tracking = new WsLoad.Handler() {
            @Override
            public void opened(Conn conn) {
                joinedLater.add(conn);
                if (keep > 0) {
                    churnable.add(conn);
                }
                newcomers.opened(conn);
            }

            @Override
            public void text(Conn conn, byte[] buf, int off, int len) {
                newcomers.text(conn, buf, off, len);
            }

            @Override
            public void closed(Conn conn, int code) {
                newcomers.closed(conn, code);
            }

            @Override
            public void failed(Conn conn, Exception e) {
                newcomers.failed(conn, e);
            }
        };
        int count = perSecond * seconds;
        int perTick = Math.max(1, (int) Math.round(n * churnPerMinute / 60.0));
        java.util.Random random = new java.util.Random(23);
        List<Conn> dropped = new ArrayList<>();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        timer.scheduleAtFixedRate(() -> {
            int s = next.getAndIncrement();
            if (s < count) {
                load.run(() -> publish(v, publisher, s));
            }
        }, 0, 1_000_000_000L / perSecond, TimeUnit.NANOSECONDS);
        for (int second = 1; second <= seconds; second++) {
            long wait = start + TimeUnit.SECONDS.toNanos(second) - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // the churn's pace
            }
            List<Conn> victims = new ArrayList<>();
            synchronized (churnable) {
                for (int k = 0; k < perTick && !churnable.isEmpty(); k++) {
                    victims.add(churnable.remove(random.nextInt(churnable.size())));
                }
            }
            dropped.addAll(victims);
            load.run(() -> victims.forEach(Conn::closeNow));
            for (int k = 0; k < victims.size(); k++) {
                load.connect("127.0.0.1", server.port, v.path, v.subprotocol, tracking);
            }
            if (sampleEvery > 0 && (second == 1 || second % sampleEvery == 0 || second == seconds)) {
                samples.add(new long[] {second, server.heapAfterGcKb(), server.threads(),
                        v.switchboard() ? jsonNumber(server.stats(v.context()), "connections") : server.bareSessions(v.path)});
                long[] last = samples.get(samples.size() - 1);
                progress("   %s %d s: heap after GC %d MB, %d threads, %d connections", scenario, last[0], last[1] / 1024,
                        last[2], last[3]);
            }
        }
        // the publications all went out; wait (bounded) until those connected throughout have all of them
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (next.get() < count && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        timer.shutdownNow();
        long lost = Long.MAX_VALUE;
        List<Conn> throughout = keep > 0 ? kept : stable;
        while (System.nanoTime() < deadline) {
            lost = 0;
            for (Conn c : throughout) {
                lost += count - ((BitSet) c.attachment).cardinality();
            }
            if (lost == 0) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        String connections = v.switchboard() ? Long.toString(jsonNumber(server.stats(v.context()), "connections"))
                : Integer.toString(server.bareSessions(v.path));
        List<Conn> everyone = new ArrayList<>(stable);
        everyone.addAll(joinedLater);
        everyone.add(publisher);
        closeAll(everyone, v);
        boolean released = released(v);
        long heap = server.heapAfterGcKb();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subscribers", n);
        m.put("publications", count);
        m.put("seconds", seconds);
        m.put("replaced", dropped.size());
        m.put("newcomersReady", newcomers.ready.get());
        m.put("connectedThroughout", throughout.size());
        m.put("lostByThoseThroughout", lost);
        m.put("duplicates", subscribers.duplicates.get() + newcomers.duplicates.get());
        latency(m, subscribers.histogram);
        m.put("serverConnectionsAtEnd", connections + " of " + (n + 1));
        m.put("allReleasedAfter", released);
        m.put("heapAfterGcMbBefore", heap0 / 1024);
        m.put("heapAfterGcMbAfter", heap / 1024);
        if (!samples.isEmpty()) {
            m.put("samples", samples.size());
            m.put("heapAfterGcMbFirst", samples.get(0)[1] / 1024);
            m.put("heapAfterGcMbLast", samples.get(samples.size() - 1)[1] / 1024);
            m.put("heapAfterGcMbMax", samples.stream().mapToLong(x -> x[1]).max().orElse(0) / 1024);
            m.put("threadsFirst", samples.get(0)[2]);
            m.put("threadsLast", samples.get(samples.size() - 1)[2]);
            m.put("threadsMax", samples.stream().mapToLong(x -> x[2]).max().orElse(0));
            m.put("threadsAfter", server.threads());
            Files.writeString(dir.resolve(scenario + "-" + server.name + "-over-time.svg"),
                    Report.overTime(scenario + " on " + server.name, samples));
        }
        record(v, scenario, m);
    }

    private static long jsonNumber(String json, String key) {
        int at = json.indexOf("\"" + key + "\":");
        if (at < 0) {
            return -1;
        }
        int from = at + key.length() + 3;
        int to = from;
        while (to < json.length() && Character.isDigit(json.charAt(to))) {
            to++;
        }
        return Long.parseLong(json.substring(from, to));
    }

    /**
     * Fan-out: {@code n} subscribers in one room and one publisher; {@code rate} publications/s for 10 s, or, with
     * rate 0, a burst of publications as fast as the server takes them (about 500 000 deliveries).
     */
    private void fanout(Variant v, int n, int rate, int round) throws Exception {
        Clients subscribers = new Clients(v);
        List<Conn> conns = subscribers.open(n, 120);
        Clients publishers = new Clients(v);
        Conn publisher = publishers.open(1, 30).get(0);
        int count = rate > 0 ? rate * (quick ? 5 : 10) : round < 0 ? 100 : Math.max(20, 500_000 / n);
        long expected = (long) count * subscribers.ready.get();
        subscribers.expect(count);
        long closedBefore = v.switchboard() ? serverCloses() : 0;
        // -Dbench.jfr=true: a JFR recording of the server around each fixed-rate fan-out (where the time goes)
        String jfr = rate > 0 && Boolean.getBoolean("bench.jfr") ? server.name + "-" + v.label() + "-fanout-fixed-" + n : null;
        if (jfr != null) {
            server.jfrStart(jfr);
        }
        long cpu0 = server.cpuNanos();
        long gen0 = generatorCpu();
        long start = System.nanoTime();
        if (rate > 0) {
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
            AtomicInteger next = new AtomicInteger();
            timer.scheduleAtFixedRate(() -> {
                int s = next.getAndIncrement();
                if (s < count) {
                    load.run(() -> publish(v, publisher, s));
                }
            }, 0, 1_000_000_000L / rate, TimeUnit.NANOSECONDS);
            subscribers.await(expected, TimeUnit.SECONDS.toNanos(count / rate + 30));
            timer.shutdownNow();
        } else {
            load.run(() -> {
                for (int s = 0; s < count; s++) {
                    publish(v, publisher, s);
                }
            });
            subscribers.await(expected, TimeUnit.SECONDS.toNanos(120));
        }
        long window = subscribers.lastNanos.get() - start;
        long cpu = server.cpuNanos() - cpu0;
        long gen = generatorCpu() - gen0;
        if (jfr != null) {
            server.jfrStop(jfr, dir.resolve(jfr + ".jfr"));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subscribers", subscribers.ready.get());
        m.put("rate", rate == 0 ? "max" : rate + "/s");
        m.put("round", round);
        m.put("publications", count);
        m.put("deliveries", subscribers.received.get());
        m.put("lost", expected - subscribers.received.get());
        m.put("duplicates", subscribers.duplicates.get());
        // Switchboard closes (4008) a connection whose backlog keeps its heartbeat unanswered for two intervals:
        // what it would have received counts as lost here; a real client reconnects and recovers it from history
        m.put("closedAsSlowConsumers", v.switchboard() ? serverCloses() - closedBefore : 0);
        m.put("deliveriesPerSecond", Math.round(subscribers.received.get() / (window / 1e9)));
        latency(m, subscribers.histogram);
        m.put("serverCpuMicrosPerDelivery", round2(cpu / 1000.0 / Math.max(1, subscribers.received.get())));
        generator(m, gen, window);
        if (round >= 0) {
            record(v, (rate == 0 ? "fanout-max-" : "fanout-fixed-") + n, m);
        }
        conns.add(publisher);
        closeAll(conns, v);
    }

    /**
     * Fan-out at a fixed window: {@code n} subscribers, one publisher that keeps {@code window} publications in flight
     * (published, not yet delivered to every subscriber) and publishes the next as one completes — the steady load of
     * a busy room, where the burst of {@link #fanout} is its worst moment. About 500 000 deliveries.
     */
    private void fanoutWindow(Variant v, int n, int window, int round) throws Exception {
        Clients subscribers = new Clients(v);
        List<Conn> conns = subscribers.open(n, 120);
        Clients publishers = new Clients(v);
        Conn publisher = publishers.open(1, 30).get(0);
        int count = Math.max(20, 500_000 / n);
        int members = subscribers.ready.get();
        long expected = (long) count * members;
        subscribers.expect(count);
        int[] published = {0}; // selector thread only
        Runnable more = () -> {
            long completed = subscribers.received.get() / Math.max(1, members);
            while (published[0] < count && published[0] - completed < window) {
                publish(v, publisher, published[0]++);
            }
        };
        subscribers.onDelivery = more;
        String jfr = round == 0 && Boolean.getBoolean("bench.jfr") ? server.name + "-" + v.label() + "-fanout-window-" + n : null;
        if (jfr != null) {
            server.jfrStart(jfr);
        }
        long cpu0 = server.cpuNanos();
        long gen0 = generatorCpu();
        long start = System.nanoTime();
        load.run(more);
        subscribers.await(expected, TimeUnit.SECONDS.toNanos(120));
        long elapsed = subscribers.lastNanos.get() - start;
        long cpu = server.cpuNanos() - cpu0;
        long gen = generatorCpu() - gen0;
        if (jfr != null) {
            server.jfrStop(jfr, dir.resolve(jfr + ".jfr"));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subscribers", members);
        m.put("window", window);
        m.put("round", round);
        m.put("publications", count);
        m.put("deliveries", subscribers.received.get());
        m.put("lost", expected - subscribers.received.get());
        m.put("duplicates", subscribers.duplicates.get());
        m.put("deliveriesPerSecond", Math.round(subscribers.received.get() / (elapsed / 1e9)));
        latency(m, subscribers.histogram);
        m.put("serverCpuMicrosPerDelivery", round2(cpu / 1000.0 / Math.max(1, subscribers.received.get())));
        generator(m, gen, elapsed);
        record(v, "fanout-window-" + n, m);
        conns.add(publisher);
        closeAll(conns, v);
    }

    /** The generator's own CPU over {@code window}, and whether it saturated its core (the figure is then its limit). */
    private static void generator(Map<String, Object> m, long cpuNanos, long window) {
        long percent = Math.round(100.0 * cpuNanos / Math.max(1, window));
        m.put("generatorCpuPercent", percent);
        m.put("generatorSaturated", percent >= 90);
    }

    /** Request/reply: {@code c} clients each with one request in flight, for {@code seconds}. */
    private void echo(Variant v, int c, int seconds, int round) throws Exception {
        Echoes echoes = new Echoes(v);
        List<Conn> conns = echoes.open(c, 30);
        String jfr = round == 0 && Boolean.getBoolean("bench.jfr") ? server.name + "-" + v.label() + "-echo-" + c : null;
        if (jfr != null) {
            server.jfrStart(jfr);
        }
        long cpu0 = server.cpuNanos();
        long gen0 = generatorCpu();
        long start = System.nanoTime();
        load.run(() -> conns.forEach(echoes::ask));
        TimeUnit.SECONDS.sleep(seconds); // the scenario's length: clients run on the selector thread meanwhile
        echoes.running = false;
        long window = System.nanoTime() - start;
        long cpu = server.cpuNanos() - cpu0;
        long gen = generatorCpu() - gen0;
        if (jfr != null) {
            server.jfrStop(jfr, dir.resolve(jfr + ".jfr"));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clients", c);
        m.put("round", round);
        m.put("roundTrips", echoes.received.get());
        m.put("roundTripsPerSecond", Math.round(echoes.received.get() / (window / 1e9)));
        latency(m, echoes.histogram);
        m.put("serverCpuMicrosPerRoundTrip", round2(cpu / 1000.0 / Math.max(1, echoes.received.get())));
        generator(m, gen, window);
        if (round >= 0) {
            record(v, "echo-" + c, m);
        }
        closeAll(conns, v);
    }

    /** A stalled reader among {@code n} subscribers (Switchboard only): the others' latency with and without it. */
    private void slow(int n, int rate, boolean stalled) throws Exception {
        Variant v = Variant.SWITCHBOARD;
        Clients subscribers = new Clients(v);
        List<Conn> conns = subscribers.open(n, 60);
        Clients others = new Clients(v);
        Conn publisher = others.open(1, 30).get(0);
        Clients stalling = new Clients(v);
        Conn stall = stalling.open(1, 30).get(0);
        if (stalled) {
            load.run(stall::stall);
        }
        long closedBefore = serverCloses();
        int count = rate * (quick ? 5 : 15);
        long expected = (long) count * subscribers.ready.get();
        subscribers.expect(count);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger next = new AtomicInteger();
        // a payload of 1 KB, so the stalled reader's backlog grows
        String pad = "x".repeat(1000);
        timer.scheduleAtFixedRate(() -> {
            int s = next.getAndIncrement();
            if (s < count) {
                load.run(() -> publisher.send("{\"type\":\"publish\",\"room\":\"" + ROOM + "\",\"data\":{\"s\":" + s
                        + ",\"t\":" + System.nanoTime() + ",\"pad\":\"" + pad + "\"}}"));
            }
        }, 0, 1_000_000_000L / rate, TimeUnit.NANOSECONDS);
        subscribers.await(expected, TimeUnit.SECONDS.toNanos(count / rate + 30));
        timer.shutdownNow();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subscribers", subscribers.ready.get());
        m.put("stalledReader", stalled);
        m.put("deliveries", subscribers.received.get());
        m.put("lost", expected - subscribers.received.get());
        latency(m, subscribers.histogram);
        // a stalled reader reads no close frame: the server's own counters tell whether it was closed
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(stalled ? 15 : 0);
        while (stalled && serverCloses() == closedBefore && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        m.put("serverClosedSlowConsumers", serverCloses() - closedBefore);
        record(v, "slow-consumer-" + n + (stalled ? "-stalled" : "-none"), m);
        conns.add(publisher);
        conns.add(stall);
        closeAll(conns, v);
    }

    /** Connections the server closed as slow consumers or for unanswered heartbeats, so far. */
    private long serverCloses() throws Exception {
        jakarta.json.JsonObject stats = Json.createReader(new java.io.StringReader(server.stats(""))).readObject();
        return stats.getJsonNumber("slowConsumerCloses").longValue() + stats.getJsonNumber("heartbeatCloses").longValue();
    }

    private static void publish(Variant v, Conn publisher, int s) {
        String data = "{\"s\":" + s + ",\"t\":" + System.nanoTime() + "}";
        publisher.send(v.floor() ? "pub " + data
                : "{\"type\":\"publish\",\"room\":\"" + v.room() + "\",\"data\":" + data + "}");
    }

    // ------------------------------------------------------------------ clients

    /** Connections of one scenario: opened (and, on Switchboard, joined); messages counted and timed. */
    private class Clients implements WsLoad.Handler {
        final Variant variant;
        final AtomicInteger ready = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicLong received = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong lastNanos = new AtomicLong();
        final AtomicInteger closeCode = new AtomicInteger();
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
        volatile int expectedPerConnection;
        /** Run on the selector thread after each delivery (the windowed publisher), or null. */
        volatile Runnable onDelivery;
        /** Idle connections: on Switchboard, a ping as the first message (no join). */
        boolean idle;

        Clients(Variant variant) {
            this.variant = variant;
        }

        List<Conn> open(int n, int timeoutSeconds) throws Exception {
            List<Conn> conns = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicInteger started = new AtomicInteger();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            WsLoad.Handler self = this;
            WsLoad.Handler tracking = new WsLoad.Handler() {
                @Override
                public void opened(Conn conn) {
                    conns.add(conn);
                    self.opened(conn);
                }

                @Override
                public void text(Conn conn, byte[] buf, int off, int len) {
                    self.text(conn, buf, off, len);
                }

                @Override
                public void closed(Conn conn, int code) {
                    self.closed(conn, code);
                }

                @Override
                public void failed(Conn conn, Exception e) {
                    self.failed(conn, e);
                }
            };
            while (ready.get() + failed.get() < n && System.nanoTime() < deadline) {
                // at most 256 handshakes in flight
                while (started.get() < n && started.get() - ready.get() - failed.get() < 256) {
                    started.incrementAndGet();
                    load.connect("127.0.0.1", server.port, variant.path, variant.subprotocol, tracking);
                }
                TimeUnit.MILLISECONDS.sleep(5);
            }
            if (failed.get() > 0 || ready.get() < n) {
                progress("   %s: %d of %d connections ready, %d failed", variant.label(), ready.get(), n, failed.get());
            }
            return new ArrayList<>(conns);
        }

        void expect(int count) {
            expectedPerConnection = count;
        }

        void await(long deliveries, long timeoutNanos) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutNanos;
            long last = -1;
            long lastChange = System.nanoTime();
            while (received.get() < deliveries && System.nanoTime() < deadline) {
                long now = received.get();
                if (now != last) {
                    last = now;
                    lastChange = System.nanoTime();
                } else if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(15)) {
                    break; // nothing arrived for 15 s: the rest is lost
                }
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }

        @Override
        public void opened(Conn conn) {
            conn.attachment = new BitSet();
            if (variant.floor()) {
                ready.incrementAndGet();
            }
        }

        /** A frame: with switchboard.v1.batch, several messages, one per line. */
        @Override
        public void text(Conn conn, byte[] buf, int off, int len) {
            int start = off;
            for (int i = off; i < off + len; i++) {
                if (buf[i] == '\n') {
                    one(conn, buf, start, i - start);
                    start = i + 1;
                }
            }
            one(conn, buf, start, off + len - start);
        }

        void one(Conn conn, byte[] buf, int off, int len) {
            if (variant.switchboard()) {
                // {"type":"message",... | {"type":"welcome",... | {"type":"joined",...
                byte c = len > 10 ? buf[off + 9] : 0;
                if (c == 'w' && idle) {
                    conn.send("{\"type\":\"ping\",\"id\":\"i\"}");
                    ready.incrementAndGet();
                    return;
                }
                if (c == 'w') {
                    conn.send("{\"type\":\"join\",\"id\":\"j\",\"room\":\"" + variant.room() + "\"}");
                    return;
                }
                if (c == 'j') {
                    ready.incrementAndGet();
                    return;
                }
                if (c != 'm') {
                    return;
                }
            }
            long t = WsLoad.number(buf, off, len, KEY_T);
            long s = WsLoad.number(buf, off, len, KEY_S);
            if (t < 0 || s < 0) {
                return;
            }
            long now = System.nanoTime();
            BitSet seen = (BitSet) conn.attachment;
            if (seen.get((int) s)) {
                duplicates.incrementAndGet();
                return;
            }
            seen.set((int) s);
            histogram.recordValue(Math.min(histogram.getHighestTrackableValue(), Math.max(0, (now - t) / 1000)));
            received.incrementAndGet();
            lastNanos.set(now);
            Runnable after = onDelivery;
            if (after != null) {
                after.run();
            }
        }

        @Override
        public void closed(Conn conn, int code) {
            closeCode.set(code);
        }

        @Override
        public void failed(Conn conn, Exception e) {
            failed.incrementAndGet();
        }
    }

    /** Request/reply clients: one request in flight each, the next sent when the answer arrives. */
    private final class Echoes extends Clients {
        volatile boolean running = true;

        Echoes(Variant variant) {
            super(variant);
        }

        void ask(Conn conn) {
            String data = "{\"t\":" + System.nanoTime() + "}";
            conn.send(variant.floor() ? "echo " + data
                    : "{\"type\":\"request\",\"id\":\"r\",\"method\":\"" + variant.echoMethod() + "\",\"data\":" + data + "}");
        }

        @Override
        void one(Conn conn, byte[] buf, int off, int len) {
            if (variant.switchboard()) {
                byte c = len > 10 ? buf[off + 9] : 0;
                if (c == 'w') {
                    ready.incrementAndGet();
                    return;
                }
                if (c != 'r') { // reply
                    return;
                }
            }
            long t = WsLoad.number(buf, off, len, KEY_T);
            if (t < 0) {
                return;
            }
            histogram.recordValue(Math.min(histogram.getHighestTrackableValue(), (System.nanoTime() - t) / 1000));
            received.incrementAndGet();
            if (running) {
                ask(conn);
            }
        }
    }

    private void closeAll(List<Conn> conns, Variant v) throws Exception {
        // an abrupt close (the socket, no close frame): both containers release such sessions at once, while a close
        // frame followed by closing the socket kept WildFly's bare sessions for a minute, and waiting for the server's
        // close frame kept Payara's
        load.run(() -> conns.forEach(Conn::closeNow));
        // wait (bounded) until the server has let them go, so the next scenario starts from a clean state
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (released(v)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        progress("   (%s: the server still holds connections after 60 s; going on)", v.label());
    }

    /** Whether the server holds no more connections of {@code v}; false when it does not answer in time. */
    private boolean released(Variant v) {
        try {
            return v.switchboard() ? server.stats(v.context()).contains("\"connections\":0,") : server.bareSessions(v.path) == 0;
        } catch (Exception e) {
            return false; // busy: ask again
        }
    }

    // ------------------------------------------------------------------ output

    private static void latency(Map<String, Object> m, Histogram h) {
        m.put("p50Ms", round2(h.getValueAtPercentile(50) / 1000.0));
        m.put("p95Ms", round2(h.getValueAtPercentile(95) / 1000.0));
        m.put("p99Ms", round2(h.getValueAtPercentile(99) / 1000.0));
        m.put("p999Ms", round2(h.getValueAtPercentile(99.9) / 1000.0));
        m.put("maxMs", round2(h.getMaxValue() / 1000.0));
    }

    private void record(Variant v, String scenario, Map<String, Object> metrics) {
        results.add(new Result(server.name, v.label(), scenario, metrics));
        progress("%-8s %-12s %-26s %s", server.name, v.label(), scenario, metrics);
    }

    private static long generatorCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    static void progress(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench %tT] %s%n", System.currentTimeMillis(), String.format(Locale.ROOT, format, args));
    }

    /**
     * -Dbench.before=path/to/results.json: the Switchboard variants of an earlier run (e.g. before a change), drawn
     * and tabled as "variant@before" beside this run's, scenarios and servers this run measured only.
     */
    private List<Result> before() throws Exception {
        String path = System.getProperty("bench.before", "").trim();
        if (path.isEmpty() || !Files.exists(Path.of(path))) {
            return List.of();
        }
        List<Result> earlier = new ArrayList<>();
        jakarta.json.JsonObject doc;
        try (var reader = Json.createReader(Files.newBufferedReader(Path.of(path)))) {
            doc = reader.readObject();
        }
        for (jakarta.json.JsonValue value : doc.getJsonArray("results")) {
            jakarta.json.JsonObject r = value.asJsonObject();
            String serverName = r.getString("server");
            String scenario = r.getString("scenario");
            boolean measured = results.stream().anyMatch(x -> x.server().equals(serverName) && x.scenario().equals(scenario));
            if (r.getString("variant").equals("bare") || !measured) {
                continue;
            }
            Map<String, Object> metrics = new LinkedHashMap<>();
            r.getJsonObject("metrics").forEach((k, v) -> metrics.put(k, v instanceof jakarta.json.JsonNumber n
                    ? (Object) n.doubleValue() : v instanceof jakarta.json.JsonString str ? str.getString() : v.toString()));
            earlier.add(new Result(serverName, r.getString("variant") + "@before", scenario, metrics));
        }
        return earlier;
    }

    private void write() throws Exception {
        JsonArrayBuilder all = Json.createArrayBuilder();
        for (Result r : results) {
            JsonObjectBuilder metrics = Json.createObjectBuilder();
            r.metrics().forEach((k, val) -> {
                if (val instanceof Integer i) {
                    metrics.add(k, i);
                } else if (val instanceof Long l) {
                    metrics.add(k, l);
                } else if (val instanceof Double d) {
                    metrics.add(k, d);
                } else if (val instanceof Boolean b) {
                    metrics.add(k, b);
                } else {
                    metrics.add(k, String.valueOf(val));
                }
            });
            all.add(Json.createObjectBuilder().add("server", r.server()).add("variant", r.variant())
                    .add("scenario", r.scenario()).add("metrics", metrics));
        }
        JsonObjectBuilder doc = Json.createObjectBuilder()
                .add("date", java.time.Instant.now().toString())
                .add("scale", quick ? "quick" : "full")
                .add("cores", Runtime.getRuntime().availableProcessors())
                .add("java", System.getProperty("java.version"))
                .add("results", all);
        try (var out = Files.newBufferedWriter(dir.resolve("results.json"));
             var json = Json.createWriterFactory(Map.of(JsonGenerator.PRETTY_PRINTING, true)).createWriter(out)) {
            json.writeObject(doc.build());
        }
        List<Result> shown = new ArrayList<>(results);
        shown.addAll(before());
        Report.write(shown, dir);
        System.out.println(Report.summary(shown));
        progress("results: %s, charts: %s/*.svg, summary: %s", dir.resolve("results.json"), dir, dir.resolve("summary.md"));
    }
}
