package dev.switchboard.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback that the test controls, for network faults a client (or a node) meets on a real network:
 * <ul>
 * <li>{@link #blackhole()}: from now on nothing is forwarded in either direction and nothing more is read, so the
 * sockets' buffers fill and neither end hears of it (no FIN, no RST) — a peer whose network vanished;</li>
 * <li>{@link #throttleDown(int)}: bytes from the server to the client pass at most at that rate, read in small pieces
 * from a socket with a small receive buffer — a slow link;</li>
 * <li>{@link #delay(long)}: every chunk is forwarded that long after it was read, both ways — latency, not a
 * narrower pipe;</li>
 * <li>{@link #cut()}: closes every connection through it (both ends see the TCP connection end) and refuses new
 * ones — a dropped link, as a client meets it when the network or a load balancer fails;</li>
 * <li>{@link #heal()}: forwards normally again (and accepts again).</li>
 * </ul>
 * A reader and a writer thread per direction and connection; {@link #close()} closes every socket.
 */
final class TcpProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Open while traffic flows; a blackhole closes it and the pumps wait on it until the heal. */
    private volatile java.util.concurrent.CountDownLatch flowing = new java.util.concurrent.CountDownLatch(0);
    private volatile int downBytesPerSecond;
    private volatile long delayMillis;
    private volatile boolean refusing;
    private final AtomicLong forwardedDown = new AtomicLong();

    TcpProxy(String host, int port) throws IOException {
        this.target = new InetSocketAddress(host, port);
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy in front of the server behind {@code uri} (its host and port). */
    static TcpProxy before(URI uri) throws IOException {
        return new TcpProxy(uri.getHost(), uri.getPort());
    }

    int port() {
        return listener.getLocalPort();
    }

    /** {@code uri} with its port replaced by this proxy's. */
    URI through(URI uri) {
        return URI.create(uri.getScheme() + "://" + uri.getHost() + ":" + port() + uri.getRawPath());
    }

    void blackhole() {
        flowing = new java.util.concurrent.CountDownLatch(1);
    }

    void throttleDown(int bytesPerSecond) {
        downBytesPerSecond = bytesPerSecond;
    }

    void delay(long millis) {
        delayMillis = millis;
    }

    void cut() {
        refusing = true;
        sockets.forEach(TcpProxy::quietly);
        sockets.clear();
    }

    void heal() {
        refusing = false;
        flowing.countDown();
        downBytesPerSecond = 0;
        delayMillis = 0;
    }

    /** Bytes forwarded from the server to clients so far. */
    long forwardedDown() {
        return forwardedDown.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (refusing) {
                    quietly(client);
                    continue;
                }
                Socket server = new Socket();
                server.setReceiveBufferSize(16 * 1024); // set before connecting: a small window, so a slow link is slow
                try {
                    server.connect(target, 5_000);
                } catch (IOException refused) { // the target is down: so is the proxied connection
                    quietly(client);
                    continue;
                }
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                pump(client, server, false);
                pump(server, client, true);
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    System.err.println("tcp proxy: " + e);
                }
            }
        }
    }

    /** Bytes read at {@code dueNanos} minus the delay, to be written at {@code dueNanos}; an empty one ends the stream. */
    private record Chunk(byte[] bytes, long dueNanos) {
    }

    /**
     * One direction: a reader that paces itself (throttle) and stamps each chunk with when it may leave (delay), and a
     * writer that sends each when its time comes — so a delay is latency, not a loss of throughput.
     */
    private void pump(Socket from, Socket to, boolean down) {
        java.util.concurrent.BlockingQueue<Chunk> line = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[down ? 1024 : 8192];
            try (InputStream in = from.getInputStream()) {
                while (true) {
                    if (!held()) { // held while blackholed: the buffers fill, nobody is told
                        break;
                    }
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    int rate = down ? downBytesPerSecond : 0;
                    if (rate > 0) {
                        java.util.concurrent.TimeUnit.MILLISECONDS.sleep(1000L * n / rate); // the link's pace
                    }
                    line.put(new Chunk(java.util.Arrays.copyOf(buffer, n), System.nanoTime() + delayMillis * 1_000_000));
                }
            } catch (IOException | InterruptedException e) {
                // the connection ended; the writer closes both sides
            }
            line.add(new Chunk(new byte[0], 0));
        }, "tcp-proxy-" + (down ? "down" : "up") + "-read-" + port());
        Thread writer = new Thread(() -> {
            try (OutputStream out = to.getOutputStream()) {
                while (true) {
                    Chunk chunk = line.take();
                    if (chunk.bytes().length == 0) {
                        break;
                    }
                    long wait = chunk.dueNanos() - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.TimeUnit.NANOSECONDS.sleep(wait); // the link's latency
                    }
                    if (!held()) {
                        break;
                    }
                    out.write(chunk.bytes());
                    out.flush();
                    if (down) {
                        forwardedDown.addAndGet(chunk.bytes().length);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // a side went away
            }
            quietly(from);
            quietly(to);
        }, "tcp-proxy-" + (down ? "down" : "up") + "-write-" + port());
        for (Thread t : new Thread[] {reader, writer}) {
            t.setDaemon(true);
            t.start();
        }
    }

    /** Waits while blackholed, a second at a time: true to go on, false when the proxy was closed meanwhile. */
    private boolean held() throws InterruptedException {
        while (!flowing.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
            if (listener.isClosed()) {
                return false;
            }
        }
        return !listener.isClosed();
    }

    private static void quietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing a socket that already failed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(TcpProxy::quietly);
    }
}
