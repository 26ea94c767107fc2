package dev.switchboard.it;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real parts for {@link ClusterIT}, started as users start them: a {@code redis-server} of its own on a free
 * loopback port, and Switchboard nodes as separate server processes (Payara Micro, WildFly) with the WAR the build
 * produced, configured through system properties (MicroProfile Config). Output goes to {@code target/cluster-it/*.log}.
 */
final class ClusterNodes {

    static final Path DIR = Path.of("target", "cluster-it").toAbsolutePath();
    private static final Duration START = Duration.ofSeconds(180);

    private ClusterNodes() {
    }

    static int freePort() {
        return ServerFiles.freePort();
    }

    /** A redis-server with an append-only file synced on every write, so that a restart keeps the streams. */
    static final class Redis {
        final int port = freePort();
        private final Path dir = DIR.resolve("redis");
        private Process process;

        /** A new Redis starts empty: a previous run's append-only file would carry its streams (and offsets) over. */
        Redis() throws java.io.IOException {
            if (Files.exists(dir)) {
                try (var files = Files.walk(dir)) {
                    for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }

        Redis start() throws Exception {
            Files.createDirectories(dir);
            process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(DIR.resolve("redis.log").toFile()))
                    .start();
            awaitPort(port, Duration.ofSeconds(10), "redis-server");
            return this;
        }

        /** Stops it (SIGTERM: the append-only file is complete) and waits until it is gone. */
        void stop() throws Exception {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("redis-server did not stop within 10 s");
            }
        }

        /** Whether the stream {@code key} holds the entry of {@code offset} (redis-cli, as an operator would look). */
        boolean holds(String key, long offset) throws Exception {
            Process cli = new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "XRANGE", key, offset + "-1", offset + "-1")
                    .redirectErrorStream(true).start();
            String out = new String(cli.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!cli.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("redis-cli did not answer");
            }
            return out.contains(offset + "-1");
        }

        /** Sends {@code signal} (e.g. {@code STOP}, {@code CONT}) to the server: a hung Redis keeps its sockets open. */
        void signal(String signal) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " failed");
            }
        }

        /** Starts it again on the same port, with the same append-only file. */
        Redis startAgain() throws Exception {
            return start();
        }

        String url() {
            return "redis://127.0.0.1:" + port;
        }

        int port() {
            return port;
        }

        void kill() {
            if (process != null) {
                process.destroyForcibly();
            }
        }
    }

    /** One Switchboard node: a server process with the built WAR at the root context. */
    static final class Node {
        final String name;
        final int port;
        private final List<String> command;
        private final java.util.Map<String, String> environment;
        private final Path log;
        private Process process;

        /** {@code environment}: Switchboard's settings as environment variables (MicroProfile Config reads them). */
        private Node(String name, int port, List<String> command, java.util.Map<String, String> environment) {
            this.name = name;
            this.port = port;
            this.command = command;
            this.environment = environment;
            this.log = DIR.resolve(name + ".log");
        }

        private static void deleteTree(Path root) throws IOException {
            if (Files.exists(root)) {
                try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
                    for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }

        /** Payara Micro, as {@code java -jar payara-micro.jar --deploy switchboard.war}. */
        static Node payara(String name, java.util.Map<String, String> settings) throws IOException {
            return payara(name, settings, war(), null);
        }

        /**
         * Payara Micro with {@code war}, its default datasource ({@code java:comp/DefaultDataSource}, the pool H2Pool)
         * at {@code dataSourceUrl} when not null (a preboot command added to the build's).
         */
        static Node payara(String name, java.util.Map<String, String> settings, Path war, String dataSourceUrl) throws IOException {
            int port = freePort();
            String preboot = System.getProperty("preboot.file");
            if (dataSourceUrl != null) {
                Path own = DIR.resolve(name + "-preboot.asadmin");
                Files.createDirectories(DIR);
                Files.writeString(own, Files.readString(Path.of(preboot))
                        + "\nset resources.jdbc-connection-pool.H2Pool.property.URL=" + dataSourceUrl + "\n");
                preboot = own.toString();
            }
            // a fresh root, as on a clean machine: a root kept from an earlier run boots the application it holds and
            // undeploys it for the new one, which this suite does not mean to test
            Path root = DIR.resolve(name + "-root");
            deleteTree(root);
            List<String> command = new ArrayList<>(List.of(java(), "-Xmx512m", "-jar", System.getProperty("payara.micro.jar"),
                    "--deploy", war.toString(), "--contextroot", "/", "--nohazelcast",
                    "--port", Integer.toString(port), "--sslport", Integer.toString(freePort()),
                    "--prebootcommandfile", preboot, "--rootdir", root.toString()));
            return new Node(name, port, command, settings);
        }

        /** WildFly with a server base directory of its own (configuration copied from the build's) and a port offset. */
        static Node wildfly(String name, java.util.Map<String, String> settings) throws IOException {
            return wildfly(name, settings, war(), null);
        }

        /**
         * WildFly with {@code war}; its default datasource (ExampleDS) at {@code dataSourceUrl} when not null, as H2's
         * default user.
         */
        static Node wildfly(String name, java.util.Map<String, String> settings, Path war, String dataSourceUrl) throws IOException {
            Path home = Path.of(System.getProperty("wildfly.home"));
            Path base = DIR.resolve(name + "-base");
            ServerFiles.wildflyBase(home, base, java.util.Map.of("ROOT.war", war));
            if (dataSourceUrl != null) {
                Path xml = base.resolve("configuration").resolve("standalone.xml");
                String config = Files.readString(xml);
                // the URL, and no user: the shared database's is H2's default (empty), as Payara Micro's H2Pool has it
                String replaced = config.replaceFirst("<connection-url>jdbc:h2:mem:[^<]*</connection-url>(\\s*<driver>h2</driver>)"
                        + "\\s*<security user-name=\"sa\" password=\"sa\"/>", "<connection-url>" + dataSourceUrl + "</connection-url>$1");
                if (replaced.equals(config)) {
                    throw new IllegalStateException("no ExampleDS connection-url in " + xml);
                }
                Files.writeString(xml, replaced);
            }
            int offset;
            int port;
            do { // WildFly listens on 8080 + offset (http), 8443 + offset and 9990 + offset (management)
                offset = 1000 + (int) (Math.random() * 20000);
                port = 8080 + offset;
            } while (!ServerFiles.isFree(port) || !ServerFiles.isFree(8443 + offset) || !ServerFiles.isFree(9990 + offset));
            List<String> command = new ArrayList<>(List.of(home.resolve("bin").resolve("standalone.sh").toString(),
                    "-Djboss.server.base.dir=" + base, "-Djboss.socket.binding.port-offset=" + offset));
            return new Node(name, port, command, settings);
        }

        Node start() throws IOException {
            Files.createDirectories(DIR);
            if (process == null) {
                Files.deleteIfExists(log); // this run's log only (ServerLogsIT reads it)
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            builder.environment().put("JAVA_OPTS", "-Xmx512m -Djava.net.preferIPv4Stack=true");
            process = builder.start();
            return this;
        }

        /** The node's threads, as {@code jcmd Thread.print} writes them, in a file beside its log (for a failure). */
        Path threadDump() {
            Path dump = log.resolveSibling(name + "-threads.txt");
            try {
                String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
                Process p = new ProcessBuilder(jcmd, Long.toString(process.pid()), "Thread.print")
                        .redirectErrorStream(true).redirectOutput(dump.toFile()).start();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (IOException | InterruptedException e) {
                return Path.of("(no thread dump: " + e + ")");
            }
            return dump;
        }

        /** Waits until the application answers {@code GET /api/stats} with the Redis engine reachable. */
        Node awaitReady() throws Exception {
            long deadline = System.nanoTime() + START.toNanos();
            String last = "";
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new AssertionError(name + " exited with " + process.exitValue() + "; see " + log);
                }
                // a client per attempt, HTTP/1.1: a connection left hanging by an attempt made while the server was
                // still deploying (or by an h2c upgrade it never answered) must not hold up the next attempts
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(2)).build();
                try {
                    HttpResponse<String> response = http.send(Deployments.withKey(HttpRequest.newBuilder(base().resolve("api/stats")))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                    last = response.statusCode() + " " + response.body();
                    if (response.statusCode() == 200 && response.body().contains("\"clusterReachable\":true")) {
                        return this;
                    }
                } catch (IOException e) {
                    last = e.toString();
                }
                TimeUnit.MILLISECONDS.sleep(250); // polling a process that is starting: the loop is bounded and asserted
            }
            throw new AssertionError(name + " not ready within " + START + " (last answer: " + last + "); see " + log
                    + " and its threads in " + threadDump());
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + port + "/");
        }

        URI ws() {
            return URI.create("ws://127.0.0.1:" + port + "/");
        }

        /** SIGKILL, to the server and every process it started (WildFly runs as a child of its start script). */
        /** SIGTERM, as a process manager stops a server, to the server's JVM and its start script; waits until gone. */
        void terminate() {
            List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
            all.add(process.toHandle());
            all.forEach(ProcessHandle::destroy);
            for (ProcessHandle p : all) {
                p.onExit().orTimeout(60, TimeUnit.SECONDS).join();
            }
        }

        void kill() throws InterruptedException {
            if (process == null) {
                return;
            }
            List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
            all.add(process.toHandle());
            // and any process started with this node's own directory (its root or server base) on its command line:
            // WildFly's JVM was seen outliving its killed start script, orphaned, still scanning its deployments
            String own = DIR.resolve(name).toString();
            ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                            .map(c -> c.contains(own + "-root") || c.contains(own + "-base")).orElse(false))
                    .forEach(all::add);
            all.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : all) {
                p.onExit().orTimeout(20, TimeUnit.SECONDS).exceptionally(e -> null).join();
            }
        }

        /** Whether the process exited within {@code timeout}. */
        boolean awaitExit(Duration timeout) throws InterruptedException {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        boolean isAlive() {
            return process != null && process.isAlive();
        }
    }

    /** The WAR the build produced. */
    static Path war() {
        return Path.of(System.getProperty("switchboard.war", "target/switchboard.war")).toAbsolutePath();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }


    static void awaitPort(int port, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                TimeUnit.MILLISECONDS.sleep(50); // bounded poll for a starting process
            }
        }
        throw new AssertionError(what + " not listening on " + port + " within " + timeout);
    }


}
