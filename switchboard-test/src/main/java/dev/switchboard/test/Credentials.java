package dev.switchboard.test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Authorization header values, for the handshake (the application's own mechanism) and the HTTP API. */
public final class Credentials {

    private Credentials() {
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }
}
