package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.Deflater;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * permessage-deflate enabled by configuration ({@code switchboard.permessage-deflate=true} in this WAR): negotiated
 * where the container has it (WildFly; Payara 6's Tyrus has none — see {@link Quirks}), and a decompression bomb
 * (10 MB of zeros in about 10 KB) is refused with 1009. Off by default: {@code FramingIT}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DeflateIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("deflate-it", Deployments.TEST_RATE + "switchboard.permessage-deflate=true\n");
    }

    @ArquillianResource
    URL url;

    /** A raw DEFLATE block (RFC 7692: no zlib header, trailing 00 00 FF FF removed) of {@code data}. */
    static byte[] compress(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH)) > 0) {
            out.write(buffer, 0, n);
        }
        deflater.end();
        byte[] all = out.toByteArray();
        return Arrays.copyOf(all, all.length - 4);
    }

    @Test
    void aDecompressionBombIsRefusedWith1009() throws Exception {
        try (RawSocket s = new RawSocket(Deployments.ws(url).resolve("ws/rooms/deflate"), 0, null,
                "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            boolean negotiated = s.handshakeResponse.toLowerCase(Locale.ROOT).contains("permessage-deflate");
            if (Quirks.hasNoDeflate()) {
                assertTrue(!negotiated, "Payara's Tyrus has no permessage-deflate: " + s.handshakeResponse);
                return;
            }
            assertTrue(negotiated, "enabled by configuration: " + s.handshakeResponse);
            s.timeout(15_000);
            byte[] bomb = compress(new byte[10 * 1024 * 1024]);
            assertTrue(bomb.length < 64 * 1024, "a small frame on the wire: " + bomb.length);
            s.sendFrame(0x1, true, 4, bomb);
            int code = s.readUntilClose(new int[1]);
            assertEquals(1009, code, "inflated beyond switchboard.max-message-bytes");
        }
    }

    @Test
    void aSmallCompressedMessageIsAccepted() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Quirks.hasNoDeflate(), "Payara has no permessage-deflate (Quirks)");
        try (RawSocket s = new RawSocket(Deployments.ws(url).resolve("ws/rooms/deflate-ok"), 0, null,
                "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            s.timeout(10_000);
            s.sendFrame(0x1, true, 4, compress("compressed hello".getBytes(StandardCharsets.UTF_8)));
            // the server's own frames may come compressed too (RSV1): inflate to find the publication
            boolean seen = false;
            for (int i = 0; i < 10 && !seen; i++) {
                RawSocket.Frame frame = s.read();
                byte[] payload = frame.payload();
                String text = new String(inflate(payload), StandardCharsets.UTF_8) + new String(payload, StandardCharsets.UTF_8);
                seen = frame.opcode() == 0x1 && text.contains("compressed hello");
            }
            assertTrue(seen, "the inflated message was published to the room");
        }
    }

    private static byte[] inflate(byte[] data) {
        try {
            java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
            byte[] input = Arrays.copyOf(data, data.length + 4);
            input[data.length + 2] = (byte) 0xff;
            input[data.length + 3] = (byte) 0xff;
            inflater.setInput(input);
            byte[] out = new byte[64 * 1024];
            int n = inflater.inflate(out);
            inflater.end();
            return Arrays.copyOf(out, n);
        } catch (java.util.zip.DataFormatException notCompressed) {
            return new byte[0];
        }
    }
}
