package dev.switchboard.bench;

import dev.switchboard.it.ServerFiles;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server under test, started as users start it, pinned to CPU core 0 ({@code taskset}), with two applications:
 * Switchboard at {@code /} and the bare endpoint at {@code /bare}. Reads the server JVM's CPU time and RSS from
 * {@code /proc} and its heap after a full GC with {@code jcmd} and {@code jstat}.
 */
final class Server implements AutoCloseable {

    final String name;
    final int port;
    private final Process process;
    private final Path log;
    private long pid;

    private Server(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /**
     * Payara Micro 6 ({@code payara}) or 7 ({@code payara7}, on {@code java21.home}) with {@code wars}: the file name
     * of each is its context root ({@code ROOT.war} is {@code /}, {@code bare.war} is {@code /bare}).
     */
    static Server payara(String name, Path dir, Map<String, Path> wars, Map<String, String> env) throws Exception {
        Path deploy = dir.resolve(name + "-deploy");
        ServerFiles.deleteTree(deploy);
        Files.createDirectories(deploy);
        for (Map.Entry<String, Path> war : wars.entrySet()) {
            Files.copy(war.getValue(), deploy.resolve(war.getKey()));
        }
        boolean seven = name.equals("payara7");
        String java = seven ? Path.of(System.getProperty("java21.home"), "bin", "java").toString() : java();
        int port = ServerFiles.freePort();
        List<String> command = List.of("taskset", "-c", "0", java, "-Xmx2g", "-jar",
                System.getProperty(seven ? "payara7.micro.jar" : "payara.micro.jar"),
                "--deploydir", deploy.toString(), "--nohazelcast", "--port", Integer.toString(port),
                "--sslport", Integer.toString(ServerFiles.freePort()), "--prebootcommandfile", System.getProperty("preboot.file"),
                "--rootdir", dir.resolve(name + "-root").toString());
        return start(name, port, command, env, dir, wars.keySet());
    }

    static Server wildfly(Path dir, Map<String, Path> wars, Map<String, String> env) throws Exception {
        Path home = Path.of(System.getProperty("wildfly.home"));
        Path base = dir.resolve("wildfly-base");
        ServerFiles.wildflyBase(home, base, wars);
        int offset = 0;
        while (!ServerFiles.isFree(8080 + offset) || !ServerFiles.isFree(8443 + offset) || !ServerFiles.isFree(9990 + offset)) {
            offset += 7;
        }
        List<String> command = List.of("taskset", "-c", "0", home.resolve("bin").resolve("standalone.sh").toString(),
                "-Djboss.server.base.dir=" + base, "-Djboss.socket.binding.port-offset=" + offset);
        return start("wildfly", 8080 + offset, command, env, dir, wars.keySet());
    }

    private static Server start(String name, int port, List<String> command, Map<String, String> env, Path dir,
            java.util.Set<String> wars) throws Exception {
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().putAll(env);
        builder.environment().put("JAVA_OPTS", "-Xms2g -Xmx2g");
        Server server = new Server(name, port, builder.start(), log);
        server.awaitReady(wars.contains("before.war"));
        return server;
    }

    /** Until Switchboard and the bare endpoint (and the Switchboard of before a change, when deployed) answer. */
    private void awaitReady(boolean before) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited; see " + log);
            }
            try {
                int stats = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/stats"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (stats == 200 && bareReady(http) && (!before || stats("/before").contains("connections"))) {
                    pid = findJvm();
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new IllegalStateException(name + " not ready within 180 s; see " + log);
    }

    /** Whether the bare endpoint (deployed beside Switchboard) takes a WebSocket handshake yet. */
    private boolean bareReady(HttpClient http) {
        try {
            http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/bare/ws"),
                    new java.net.http.WebSocket.Listener() { }).get(2, TimeUnit.SECONDS)
                    .sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * One client for the probes asked every 100 ms while a scenario waits (sessions held, stats): a client per probe
     * kept a selector and its descriptors until collected, and a long wait ran the generator out of them (EMFILE).
     */
    private static final HttpClient PROBES = HttpClient.newHttpClient();

    /** The sessions a {@link BareEndpoint} at {@code path} holds, not counting the one asking. */
    int bareSessions(String path) {
        java.util.concurrent.CompletableFuture<String> answer = new java.util.concurrent.CompletableFuture<>();
        try {
            java.net.http.WebSocket ws = PROBES.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + path), new java.net.http.WebSocket.Listener() {
                        @Override
                        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                            answer.complete(data.toString());
                            return null;
                        }
                    }).get(5, TimeUnit.SECONDS);
            ws.sendText("count", true);
            int count = Integer.parseInt(answer.get(5, TimeUnit.SECONDS).trim());
            // a close handshake, not an abort: Tyrus keeps an aborted probe's session for a while, and counts it
            ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
            return count - 1;
        } catch (Exception e) {
            return -1;
        }
    }

    /** The server's JVM: the process itself (Payara Micro) or the java under the start script (WildFly). */
    private long findJvm() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(0, process.toHandle());
        for (ProcessHandle p : all) {
            String cmd = p.info().command().orElse("");
            if (cmd.endsWith("/java")) {
                return p.pid();
            }
        }
        return process.pid();
    }

    long pid() {
        return pid;
    }

    /** User + system CPU time of the server JVM, in nanoseconds. */
    long cpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
            return ticks * 10_000_000L; // USER_HZ = 100 on Linux
        } catch (IOException e) {
            return -1;
        }
    }

    long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // gone
        }
        return -1;
    }

    /** The live heap after a full GC, in KB. */
    long heapAfterGcKb() throws Exception {
        // the live objects' total in a class histogram, which collects first. Not the heap's used size read after a
        // GC.run: by the time jstat reads it, the server has allocated again — Payara's heartbeat pongs alone made
        // 10 000 idle connections look 10 KB each bigger than the objects they hold (docs/benchmark/connections.md)
        return liveKb(fullHistogram());
    }

    /** The live heap a class histogram counts, in KB: its last line, {@code Total <instances> <bytes>}. */
    static long liveKb(String histogram) {
        String[] lines = histogram.trim().split("\n");
        String[] total = lines[lines.length - 1].trim().split("\\s+");
        return Long.parseLong(total[2]) / 1024;
    }

    /** Threads of the server JVM ({@code Threads:} in {@code /proc/<pid>/status}), -1 when it cannot be read. */
    int threads() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring(8).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return -1;
    }

    /**
     * Starts a JFR recording (profile settings) in the server JVM. {@code -Dbench.jfr.sampling=max} samples every
     * millisecond instead of every 10 (the profile's {@code method-profiling} option, JDK 17+): a few seconds of
     * handshakes give enough samples to split.
     */
    void jfrStart(String name) throws Exception {
        String jdk = Path.of(System.getProperty("java.home"), "bin").toString();
        run(jdk + "/jcmd", Long.toString(pid), "JFR.start", "name=" + name, "settings=profile",
                "method-profiling=" + System.getProperty("bench.jfr.sampling", "high"));
    }

    /** Stops the recording and writes it to {@code file}. */
    void jfrStop(String name, Path file) throws Exception {
        String jdk = Path.of(System.getProperty("java.home"), "bin").toString();
        run(jdk + "/jcmd", Long.toString(pid), "JFR.stop", "name=" + name, "filename=" + file);
    }

    /** The heap's class histogram (live objects), top 60 lines. */
    String histogram() throws Exception {
        return fullHistogram().lines().limit(60).collect(java.util.stream.Collectors.joining("\n"));
    }

    /** Every class on the heap after a full GC ({@code GC.class_histogram} collects first): instances and bytes. */
    String fullHistogram() throws Exception {
        String jdk = Path.of(System.getProperty("java.home"), "bin").toString();
        return run(jdk + "/jcmd", Long.toString(pid), "GC.class_histogram");
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " timed out");
        }
        return out;
    }

    /** The {@code /api/stats} of the Switchboard at {@code context} ({@code ""}: the root). */
    String stats(String context) throws Exception {
        return PROBES.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + context + "/api/stats"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : all) {
            p.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> {
                p.destroyForcibly();
                return null;
            }).join();
        }
    }



    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }


}
