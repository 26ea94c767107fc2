package dev.switchboard.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket peer on a bare TCP socket, for what a polite client never does: stop reading, never answer pings,
 * send hand-made frames. Reads are bounded by a socket timeout.
 */
final class RawSocket implements AutoCloseable {

    /** A frame as read from the server. */
    record Frame(int opcode, byte[] payload) {
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    final String handshakeResponse;

    /**
     * Opens {@code uri} (ws://host:port/path). A small receive buffer makes "stops reading" stall the server's
     * sends after little data instead of megabytes of kernel buffers.
     */
    RawSocket(URI uri, int receiveBuffer, String subprotocol) throws IOException {
        this(uri, receiveBuffer, subprotocol, "");
    }

    /** As above, with {@code extraHeaders} (each ending in CRLF) added to the handshake request. */
    RawSocket(URI uri, int receiveBuffer, String subprotocol, String extraHeaders) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + (subprotocol == null ? "" : "Sec-WebSocket-Protocol: " + subprotocol + "\r\n")
                + extraHeaders
                + "\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        handshakeResponse = readHeaders(in);
        if (!handshakeResponse.startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + handshakeResponse);
        }
    }

    private static String readHeaders(InputStream in) throws IOException {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake: " + headers);
            }
            headers.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return headers.toString(StandardCharsets.US_ASCII);
    }

    /** Writes bytes as they are: for frames no client library would produce. */
    synchronized void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends one masked text frame. */
    void sendText(String text) throws IOException {
        sendFrame(0x1, true, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one masked frame with the given opcode and FIN bit. */
    synchronized void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
        sendFrame(opcode, fin, 0, payload);
    }

    /** Sends one masked frame with reserved bits {@code rsv} (0-7, RSV1 = 4). */
    synchronized void sendFrame(int opcode, boolean fin, int rsv, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                frame.write((int) ((long) payload.length >> (8 * i)));
            }
        }
        byte[] mask = new byte[4];
        new SecureRandom().nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Reads the next frame; fails after the socket timeout. */
    Frame read() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(b0 & 0x0f, payload);
    }

    /**
     * Reads frames until the server's close frame and returns its code; counts what came before. Fails when the
     * stream ends without a close frame or nothing arrives within the socket timeout.
     */
    int readUntilClose(int[] framesBefore) throws IOException {
        while (true) {
            Frame frame;
            try {
                frame = read();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no close frame within the read timeout; frames before: " + framesBefore[0], e);
            }
            if (frame.opcode() == 0x8) {
                return frame.closeCode();
            }
            if (frame.opcode() == 0x1 || frame.opcode() == 0x2) {
                framesBefore[0]++;
            }
        }
    }

    /**
     * Keeps the connection alive without reading: an unsolicited pong every 250 ms (allowed by RFC 6455 as a
     * unidirectional heartbeat), so that the server's heartbeat does not close it before its slow-consumer limit.
     */
    void keepAliveWithoutReading() {
        Thread pongs = new Thread(() -> {
            try {
                while (!socket.isClosed()) {
                    sendFrame(0xA, true, new byte[0]);
                    java.util.concurrent.locks.LockSupport.parkNanos(250_000_000L);
                }
            } catch (IOException e) {
                // the server closed the connection: the test reads the outcome
            }
        }, "raw-socket-pongs");
        pongs.setDaemon(true);
        pongs.start();
    }

    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
