package dev.switchboard.bench;

import dev.switchboard.it.ServerFiles;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of the benchmark's own, on a free loopback port and pinned to the servers' core 0, without
 * persistence: the Redis two Switchboard nodes share in the failover storm.
 */
final class BenchRedis implements AutoCloseable {

    final int port = ServerFiles.freePort();
    private final Process process;

    private BenchRedis(Path dir) throws Exception {
        Files.createDirectories(dir);
        process = new ProcessBuilder("taskset", "-c", "0", "redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(dir.resolve("redis.log").toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    close();
                    throw new IllegalStateException("redis-server did not listen on " + port + "; see " + dir, e);
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    static BenchRedis start(Path dir) throws Exception {
        return new BenchRedis(dir);
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
