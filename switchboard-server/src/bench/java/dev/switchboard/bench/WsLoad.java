package dev.switchboard.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A lean WebSocket load generator: one thread and one selector for thousands of client connections, RFC 6455
 * framing written out (client frames masked, pings answered, fragmented text reassembled), no per-message objects
 * beyond the frame's bytes. Everything runs on the selector thread; other threads hand it work with {@link #run}.
 */
public final class WsLoad implements AutoCloseable {

    /** What a connection tells the scenario; called on the selector thread. */
    public interface Handler {
        /** The connection's socket exists (not yet connected nor upgraded): the one to close to abandon the attempt. */
        default void started(Conn conn) {
        }

        default void opened(Conn conn) {
        }

        /** One whole text message; {@code buf[off, off+len)} is valid only during the call. */
        void text(Conn conn, byte[] buf, int off, int len);

        default void closed(Conn conn, int code) {
        }

        default void failed(Conn conn, Exception e) {
        }
    }

    /** One client connection. */
    public final class Conn {
        final SocketChannel channel;
        final Handler handler;
        final int id;
        /** The scenario's state for this connection. */
        public Object attachment;
        private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        private ByteBuffer in = ByteBuffer.allocate(4096);
        private boolean upgraded;
        private boolean open;
        private boolean reading = true;
        private final String request;
        private byte[] fragments;
        private int fragmentsLength;
        SelectionKey key;

        Conn(SocketChannel channel, Handler handler, int id, String request) {
            this.channel = channel;
            this.handler = handler;
            this.id = id;
            this.request = request;
        }

        public int id() {
            return id;
        }

        public boolean isOpen() {
            return open;
        }

        /** Sends a text message (selector thread only). */
        public void send(String text) {
            send(1, text.getBytes(StandardCharsets.UTF_8));
        }

        /** Stops reading from the socket: a stalled reader, as far as the server can tell. */
        public void stall() {
            reading = false;
            if (key != null && key.isValid()) {
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
            }
        }

        public void closeNow() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            open = false;
        }

        private void send(int opcode, byte[] payload) {
            int len = payload.length;
            ByteBuffer frame = ByteBuffer.allocate(len + 14);
            frame.put((byte) (0x80 | opcode));
            if (len < 126) {
                frame.put((byte) (0x80 | len));
            } else if (len < 65536) {
                frame.put((byte) (0x80 | 126)).putShort((short) len);
            } else {
                frame.put((byte) (0x80 | 127)).putLong(len);
            }
            int mask = ThreadLocalRandom.current().nextInt();
            frame.putInt(mask);
            byte[] m = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
            for (int i = 0; i < len; i++) {
                frame.put((byte) (payload[i] ^ m[i & 3]));
            }
            frame.flip();
            write(frame);
        }

        private void write(ByteBuffer data) {
            if (!channel.isOpen()) {
                return;
            }
            if (out.isEmpty()) {
                try {
                    channel.write(data);
                } catch (IOException e) {
                    fail(e);
                    return;
                }
            }
            if (data.hasRemaining()) {
                out.add(data);
                key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
            }
        }

        private void flush() throws IOException {
            while (!out.isEmpty()) {
                ByteBuffer head = out.peek();
                channel.write(head);
                if (head.hasRemaining()) {
                    return;
                }
                out.poll();
            }
            key.interestOps(reading ? SelectionKey.OP_READ : 0);
        }

        private void fail(Exception e) {
            boolean was = open || !upgraded;
            closeNow();
            if (key != null) {
                key.cancel();
            }
            if (was) {
                handler.failed(this, e);
            }
        }

        private void read() throws IOException {
            if (!in.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
                in.flip();
                bigger.put(in);
                in = bigger;
            }
            int n = channel.read(in);
            if (n < 0) {
                if (open) {
                    open = false;
                    handler.closed(this, 1006);
                }
                closeNow();
                key.cancel();
                return;
            }
            in.flip();
            if (!upgraded && !handshake()) {
                in.compact();
                return;
            }
            frames();
            in.compact();
        }

        private boolean handshake() {
            byte[] a = in.array();
            int end = -1;
            for (int i = in.position(); i + 3 < in.limit(); i++) {
                if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                    end = i + 4;
                    break;
                }
            }
            if (end < 0) {
                return false;
            }
            String head = new String(a, in.position(), end - in.position(), StandardCharsets.ISO_8859_1);
            in.position(end);
            if (!head.startsWith("HTTP/1.1 101")) {
                fail(new IOException("upgrade refused: " + head.lines().findFirst().orElse("")));
                return false;
            }
            upgraded = true;
            open = true;
            handler.opened(this);
            return true;
        }

        private void frames() {
            byte[] a = in.array();
            while (open && in.remaining() >= 2) {
                int p = in.position();
                int b0 = a[p] & 0xff;
                int b1 = a[p + 1] & 0xff;
                long len = b1 & 0x7f;
                int header = 2;
                if (len == 126) {
                    if (in.remaining() < 4) {
                        return;
                    }
                    len = ((a[p + 2] & 0xff) << 8) | (a[p + 3] & 0xff);
                    header = 4;
                } else if (len == 127) {
                    if (in.remaining() < 10) {
                        return;
                    }
                    len = in.getLong(p + 2);
                    header = 10;
                }
                if (in.remaining() < header + len) {
                    if (header + len > in.capacity()) {
                        ByteBuffer bigger = ByteBuffer.allocate((int) (header + len) * 2);
                        bigger.put(in);
                        bigger.flip();
                        in = bigger;
                        a = in.array();
                    }
                    return;
                }
                int start = p + header;
                int length = (int) len;
                int opcode = b0 & 0x0f;
                boolean fin = (b0 & 0x80) != 0;
                in.position(start + length);
                switch (opcode) {
                    case 0x1 -> {
                        if (fin) {
                            handler.text(this, a, start, length);
                        } else {
                            fragments = java.util.Arrays.copyOfRange(a, start, start + length);
                            fragmentsLength = length;
                        }
                    }
                    case 0x0 -> {
                        fragments = java.util.Arrays.copyOf(fragments, fragmentsLength + length);
                        System.arraycopy(a, start, fragments, fragmentsLength, length);
                        fragmentsLength += length;
                        if (fin) {
                            handler.text(this, fragments, 0, fragmentsLength);
                            fragments = null;
                        }
                    }
                    case 0x9 -> send(0xA, java.util.Arrays.copyOfRange(a, start, start + length));
                    case 0x8 -> {
                        int code = length >= 2 ? ((a[start] & 0xff) << 8) | (a[start + 1] & 0xff) : 1005;
                        open = false;
                        handler.closed(this, code);
                        closeNow();
                        key.cancel();
                    }
                    default -> {
                        // binary and pongs: not used by the scenarios
                    }
                }
                a = in.array();
            }
        }
    }

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private int ids;

    public WsLoad() throws IOException {
        selector = Selector.open();
        thread = new Thread(this::loop, "ws-load");
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code task} on the selector thread. */
    public void run(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Opens a connection (on the selector thread); {@code subprotocol} may be null. */
    public void connect(String host, int port, String path, String subprotocol, Handler handler) {
        run(() -> {
            try {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                byte[] nonce = new byte[16];
                ThreadLocalRandom.current().nextBytes(nonce);
                String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                        + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                        + (subprotocol == null ? "" : "Sec-WebSocket-Protocol: " + subprotocol + "\r\n") + "\r\n";
                Conn conn = new Conn(channel, handler, ids++, request);
                conn.key = channel.register(selector, SelectionKey.OP_CONNECT, conn);
                handler.started(conn);
                channel.connect(new InetSocketAddress(host, port));
            } catch (IOException e) {
                handler.failed(null, e);
            }
        });
    }

    private void loop() {
        while (running) {
            try {
                selector.select(100);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    Conn conn = (Conn) key.attachment();
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isConnectable()) {
                            conn.channel.finishConnect();
                            key.interestOps(SelectionKey.OP_READ);
                            conn.write(ByteBuffer.wrap(conn.request.getBytes(StandardCharsets.ISO_8859_1)));
                            continue;
                        }
                        if (key.isWritable()) {
                            conn.flush();
                        }
                        if (key.isValid() && key.isReadable()) {
                            conn.read();
                        }
                    } catch (IOException | RuntimeException e) {
                        conn.fail(e);
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Closes every connection and stops the selector thread. */
    @Override
    public void close() {
        run(() -> {
            for (SelectionKey key : selector.keys()) {
                ((Conn) key.attachment()).closeNow();
            }
            running = false;
        });
        try {
            thread.join(5000);
            selector.close();
        } catch (InterruptedException | IOException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The long after {@code "key":} in a JSON text (a flat number), or -1. */
    public static long number(byte[] a, int off, int len, byte[] key) {
        int end = off + len - key.length;
        outer:
        for (int i = off; i <= end; i++) {
            for (int k = 0; k < key.length; k++) {
                if (a[i + k] != key[k]) {
                    continue outer;
                }
            }
            long v = 0;
            int j = i + key.length;
            boolean any = false;
            while (j < off + len && a[j] >= '0' && a[j] <= '9') {
                v = v * 10 + (a[j++] - '0');
                any = true;
            }
            return any ? v : -1;
        }
        return -1;
    }
}
