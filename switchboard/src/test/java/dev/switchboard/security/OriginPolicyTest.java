package dev.switchboard.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {

    @Test
    void onlyExactOriginsAreAllowed() {
        OriginPolicy policy = new OriginPolicy(List.of("https://app.example.com"), true);
        assertTrue(policy.allows("http://127.0.0.1:8080", "http", "127.0.0.1:8080"), "the server's own");
        assertTrue(policy.allows("HTTP://127.0.0.1:8080", "http", "127.0.0.1:8080"), "case-insensitive");
        assertTrue(policy.allows("http://localhost", "http", "localhost:80"), "default port made explicit");
        assertTrue(policy.allows("https://app.example.com", "http", "127.0.0.1:8080"), "configured");
        assertTrue(policy.allows("https://app.example.com:443", "http", "127.0.0.1:8080"));
        assertTrue(policy.allows(null, "http", "127.0.0.1:8080"), "no Origin: not a browser");
        assertFalse(policy.allows("null", "http", "127.0.0.1:8080"), "opaque origin");
        assertFalse(policy.allows("https://127.0.0.1:8080", "http", "127.0.0.1:8080"), "scheme");
        assertFalse(policy.allows("http://127.0.0.1:8081", "http", "127.0.0.1:8080"), "port");
        assertFalse(policy.allows("https://app.example.com.evil.io", "http", "127.0.0.1:8080"), "look-alike");
        assertFalse(policy.allows("https://evil-app.example.com", "http", "127.0.0.1:8080"), "look-alike");
        assertFalse(policy.allows("https://app.example.com@evil.io", "http", "127.0.0.1:8080"), "user info");
        assertFalse(policy.allows("https://app.example.com/path", "http", "127.0.0.1:8080"), "path");
        assertFalse(policy.allows("::not a uri::", "http", "127.0.0.1:8080"));
        assertFalse(new OriginPolicy(List.of(), false).allows(null, "http", "127.0.0.1:8080"), "missing refused when configured");
    }
}
