package dev.switchboard.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The Lua scripts, under {@code dev/switchboard/cluster/<name>.lua}, read once; each touches the keys of one hash tag
 * and declares them (Redis Cluster runs a script on one slot's master). Those reading a room's meta begin with
 * {@code guard.lua}.
 */
enum RedisScript {
    APPEND(true), POSITION(true), RESET(true), PRESENCE(false), HEARTBEAT(false), LEAVE(false);

    final String source;
    final String sha;

    RedisScript(boolean guarded) {
        source = (guarded ? read("guard.lua") : "") + read(name().toLowerCase(Locale.ROOT) + ".lua");
        sha = sha1(source);
    }

    private static String read(String resource) {
        try (InputStream in = RedisScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Lua script " + resource + " missing from the WAR");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Lua script " + resource + " unreadable", e);
        }
    }

    private static String sha1(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
