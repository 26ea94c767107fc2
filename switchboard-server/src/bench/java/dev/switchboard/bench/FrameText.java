package dev.switchboard.bench;

import java.nio.charset.StandardCharsets;

/** Reading a JSON text frame's flat fields in place, as the generator must: no parse. Stateless. */
final class FrameText {

    private FrameText() {
    }

    static String string(byte[] buf, int off, int len, String key) {
        int at = FrameText.indexOf(buf, off, len, key);
        if (at < 0) {
            return null;
        }
        int from = at + key.length();
        int to = from;
        while (to < off + len && buf[to] != '"') {
            to++;
        }
        return new String(buf, from, to - from, StandardCharsets.US_ASCII);
    }

    static int indexOf(byte[] buf, int off, int len, String text) {
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = off; i <= off + len - t.length; i++) {
            for (int k = 0; k < t.length; k++) {
                if (buf[i + k] != t[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
