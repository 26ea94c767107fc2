package dev.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real redis-server of the test's own, on a free loopback port, without persistence. */
public final class RedisServer implements TestRedis {

    private final int port;
    private Process process;

    public RedisServer() throws IOException, InterruptedException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        start();
    }

    /** Starts the server (again, empty after {@link #kill}) on its port; returns once it accepts connections. */
    public void start() throws IOException, InterruptedException {
        process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                assertTrue(System.nanoTime() < deadline, "redis-server did not start within 10 s");
                TimeUnit.MILLISECONDS.sleep(20); // bounded poll for a starting process
            }
        }
    }

    /** SIGKILL, as a crashed machine: what it held is gone (no persistence). */
    public void kill() throws InterruptedException {
        assertTrue(process.destroyForcibly().waitFor(10, TimeUnit.SECONDS), "redis-server on " + port + " did not die");
    }

    /** SIGSTOP ({@code hang = true}) or SIGCONT: a server that holds its connections and answers nothing. */
    public void hang(boolean hang) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", hang ? "-STOP" : "-CONT", Long.toString(process.pid())).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill did not signal " + port);
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public Redis link(String prefix) {
        return new Redis(new Redis.Config(url(), prefix, Duration.ofSeconds(1), Duration.ofMillis(100),
                Duration.ofSeconds(2), Duration.ofHours(1)));
    }

    @Override
    public <T> T command(String key, java.util.function.Function<io.lettuce.core.cluster.api.sync.RedisClusterCommands<String, String>, T> command) {
        try (io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(url());
             io.lettuce.core.api.StatefulRedisConnection<String, String> c = client.connect()) {
            return command.apply(c.sync());
        }
    }

    @Override
    public void flushScripts() {
        command("", c -> c.scriptFlush());
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
