package dev.switchboard.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What starting a server of our own needs on disk and on loopback, shared by {@link ClusterNodes} and the benchmark
 * ({@code src/bench}, compiled with the test sources under {@code -Pbench}).
 */
public final class ServerFiles {

    private ServerFiles() {
    }

    /** A loopback port free right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code port} is free on loopback right now. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A WildFly server base directory of its own under {@code base}: the build's configuration (with
     * {@code configure.cli} applied) and {@code deployments} (file name → WAR) for the deployment scanner. A deployment
     * left in the configuration by an earlier run ({@code wildfly:run}) would clash with ours (WFLYCTL0212): removed.
     */
    public static void wildflyBase(Path wildflyHome, Path base, Map<String, Path> deployments) throws IOException {
        deleteTree(base);
        copyTree(wildflyHome.resolve("standalone").resolve("configuration"), base.resolve("configuration"));
        Path xml = base.resolve("configuration").resolve("standalone.xml");
        Files.writeString(xml, Files.readString(xml).replaceAll("(?s)<deployments>.*?</deployments>", ""));
        Files.createDirectories(base.resolve("deployments"));
        for (Map.Entry<String, Path> war : deployments.entrySet()) {
            Files.copy(war.getValue(), base.resolve("deployments").resolve(war.getKey()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
