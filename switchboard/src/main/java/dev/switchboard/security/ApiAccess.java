package dev.switchboard.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.Config;

/**
 * Who may use the HTTP API and the operations surfaces, and how often.
 * <ul>
 *   <li>A <b>server key</b> ({@code X-Switchboard-Key: <key>}) names a trusted back-end: it may publish into and read
 *       the presence of every room, and read stats and write marks. Keys are configured as
 *       {@code switchboard.api.keys=<name>:<key>,…} (each key at least 16 characters); the name is what logs and rate
 *       limits see, never the key. Keys are compared in constant time (SHA-256 of both, then
 *       {@link MessageDigest#isEqual}), so neither content nor length leaks through timing. A request that presents
 *       a key that is not configured is refused (401), whatever else it carries.</li>
 *   <li>A <b>signed-in user</b> ({@code Authorization: Basic} or {@code Bearer}, as authenticated by
 *       {@link SwitchboardAuthenticationMechanism}) may do to a room over HTTP what the {@link RoomAuthorizer} lets it
 *       do on the socket, and use the operations surfaces when it holds {@code switchboard.monitor.role} (default
 *       {@code admin}; {@code *}: anyone, guests included — for demos only).</li>
 *   <li>Guests get 401 on the API.</li>
 * </ul>
 * Every caller (key or user) has a token bucket: {@code switchboard.api.rate.per-second} (default 100) requests a
 * second on average, {@code switchboard.api.rate.burst} (default 200) at once; over it, 429. Thread-safe.
 */
@ApplicationScoped
public class ApiAccess {

    /** The request header that carries a server key. */
    public static final String KEY_HEADER = "X-Switchboard-Key";
    /** The operations role's value that opens the operations surfaces to everyone (demos). */
    static final String ANYONE = "*";
    private static final int MIN_KEY_LENGTH = 16;
    /** Buckets kept before idle ones are forgotten: a flood of distinct callers cannot grow this map without bound. */
    private static final int MAX_BUCKETS = 10_000;

    @Inject
    Config config;

    @Inject
    RoomAuthorizer authorizer;

    @Inject
    MechanismChoice mechanisms;

    private volatile Map<String, byte[]> keys;
    private volatile Boolean guests;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** The caller of an API request: who it is, and whether it is a back-end holding a server key. */
    public record ApiCaller(Caller caller, boolean serverKey) {
        /** What logs and rate limits call it: the user, or {@code key:<name>}. */
        public String label() {
            return serverKey ? "key:" + caller.name() : caller.name();
        }
    }

    /** Why a request is refused. */
    public enum Refusal { NO_CREDENTIALS, WRONG_KEY }

    /**
     * The caller of {@code request}, or the reason there is none: a wrong key, or no credentials at all (a guest,
     * or credentials the authentication mechanism refused — the container may let such a request through as a guest,
     * Open Liberty does: open-liberty issue 2837, so this does not rely on the container's answer).
     */
    public Result caller(HttpServletRequest request) {
        String presented = request.getHeader(KEY_HEADER);
        if (presented != null) {
            String name = keyName(presented.trim());
            return name == null ? new Result(null, Refusal.WRONG_KEY)
                    : new Result(new ApiCaller(new Caller(name, Set.of(), false, null), true), null);
        }
        Caller c = callerOf(request);
        if (c != null && !c.anonymous()) {
            return new Result(new ApiCaller(c, false), null);
        }
        return new Result(null, Refusal.NO_CREDENTIALS);
    }

    /**
     * The caller of {@code request}: the one Switchboard's mechanism authenticated, else — when the application
     * authenticates with a mechanism of its own ({@link MechanismChoice}) — the container's principal, with those of
     * the roles Switchboard checks (operations, admin, each room class's) that the container says it holds. Null for a
     * guest, and for credentials Switchboard's mechanism refused.
     */
    public Caller callerOf(HttpServletRequest request) {
        if (request.getAttribute(SwitchboardAuthenticationMechanism.CALLER_ATTRIBUTE) instanceof Caller c) {
            return c;
        }
        if (request.getAttribute(SwitchboardAuthenticationMechanism.REFUSED_ATTRIBUTE) != null) {
            return null;
        }
        if (!mechanisms.applicationAuthenticates()) {
            return null; // Switchboard's own mechanism authenticates: no attribute means a guest
        }
        java.security.Principal principal = request.getUserPrincipal();
        // Container quirk (WildFly): a request nobody authenticated has a principal named 'anonymous' and no auth type
        if (principal == null || (request.getAuthType() == null && "anonymous".equals(principal.getName()))) {
            return null;
        }
        Set<String> held = new java.util.HashSet<>();
        for (String role : checkedRoles()) {
            if (request.isUserInRole(role)) {
                held.add(role);
            }
        }
        return new Caller(principal.getName(), held, false, null);
    }

    /** The roles Switchboard's own rules name: {@link #operationsRole()}, {@link #adminRole()}, each room class's. */
    private Set<String> checkedRoles() {
        Set<String> roles = new java.util.HashSet<>();
        roles.add(operationsRole());
        roles.add(adminRole());
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("switchboard.room-class.") && name.endsWith(".roles")) {
                config.getOptionalValue(name, String.class).ifPresent(v -> {
                    for (String role : v.split(",")) {
                        if (!role.isBlank()) {
                            roles.add(role.trim());
                        }
                    }
                });
            }
        }
        roles.remove(ANYONE);
        return roles;
    }

    /** A caller, or the refusal when there is none. */
    public record Result(ApiCaller caller, Refusal refusal) {
    }

    /** Whether {@code caller} may do {@code action} to {@code room} over HTTP: the same rule as on the socket. */
    public boolean allows(ApiCaller caller, RoomAuthorizer.Action action, String room) {
        return caller.serverKey() || PersonalStreams.guard(authorizer).allows(caller.caller(), action, room);
    }

    /** Whether {@code caller} (null: a guest) may use the operations surfaces: monitor, marks, stats. */
    public boolean mayOperate(Caller caller) {
        String role = operationsRole();
        return ANYONE.equals(role) || (caller != null && !caller.anonymous() && caller.hasRole(role));
    }

    /** Whether an API caller may use the operations surfaces. */
    public boolean mayOperate(ApiCaller caller) {
        return caller.serverKey() || mayOperate(caller.caller());
    }

    /** {@code switchboard.auth.anonymous}, default true: whether a guest may open a WebSocket connection. */
    public boolean guestsMayConnect() {
        Boolean guests = this.guests;
        if (guests == null) { // read once: every handshake asks (a lookup through every config source costs)
            guests = config.getOptionalValue("switchboard.auth.anonymous", Boolean.class).orElse(true);
            this.guests = guests;
        }
        return guests;
    }

    /** {@code switchboard.monitor.role}, default {@code admin}. */
    public String operationsRole() {
        return config.getOptionalValue("switchboard.monitor.role", String.class).orElse("admin").trim();
    }

    /** {@code switchboard.auth.admin-role}, default {@code admin}: who may use the admin API and end others' sessions. */
    public String adminRole() {
        return config.getOptionalValue("switchboard.auth.admin-role", String.class).orElse("admin").trim();
    }

    /** Whether an API caller may use the admin API (a server key, or a user with the admin role; never a guest). */
    public boolean mayAdminister(ApiCaller caller) {
        return caller.serverKey() || (!caller.caller().anonymous() && caller.caller().hasRole(adminRole()));
    }

    /** Takes one request from the caller's bucket: false when it is empty (answer 429). */
    public boolean withinRate(ApiCaller caller) {
        return withinRate(caller.label());
    }

    /**
     * Takes one request from the bucket named {@code label} (a caller's label, or {@code addr:<ip>} for anonymous
     * requests to the health probes): false when it is empty (answer 429).
     */
    public boolean withinRate(String label) {
        int perSecond = config.getOptionalValue("switchboard.api.rate.per-second", Integer.class).orElse(100);
        int burst = config.getOptionalValue("switchboard.api.rate.burst", Integer.class).orElse(200);
        if (perSecond <= 0) {
            return true;
        }
        long now = System.nanoTime();
        if (buckets.size() >= MAX_BUCKETS) {
            buckets.values().removeIf(b -> b.idleFor(now) > 60_000_000_000L);
        }
        return buckets.computeIfAbsent(label, k -> new Bucket(burst, now)).take(perSecond, burst, now);
    }

    /** The name of the configured key equal to {@code presented}, or null. Every configured key is compared. */
    private String keyName(String presented) {
        byte[] digest = sha256(presented);
        String match = null;
        for (Map.Entry<String, byte[]> key : keys().entrySet()) {
            if (MessageDigest.isEqual(digest, key.getValue()) && match == null) {
                match = key.getKey();
            }
        }
        return match;
    }

    private Map<String, byte[]> keys() {
        Map<String, byte[]> k = keys;
        if (k == null) {
            k = new HashMap<>();
            for (String entry : config.getOptionalValues("switchboard.api.keys", String.class).orElse(java.util.List.of())) {
                int colon = entry.indexOf(':');
                String name = colon > 0 ? entry.substring(0, colon).trim() : "";
                String key = colon > 0 ? entry.substring(colon + 1).trim() : "";
                if (name.isEmpty() || key.length() < MIN_KEY_LENGTH) {
                    java.util.logging.Logger.getLogger(ApiAccess.class.getName()).warning(
                            "switchboard.api.keys: an entry is not <name>:<key of at least " + MIN_KEY_LENGTH
                                    + " characters>; ignored" + (name.isEmpty() ? "" : " (" + name + ")"));
                    continue;
                }
                k.put(name, sha256(key));
            }
            k = Map.copyOf(k);
            keys = k;
        }
        return k;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** A token bucket; its methods are synchronized on it (one caller's requests, short critical sections). */
    private static final class Bucket {
        private double tokens;
        private long refilled;

        Bucket(int burst, long now) {
            tokens = burst;
            refilled = now;
        }

        synchronized boolean take(int perSecond, int burst, long now) {
            tokens = Math.min(burst, tokens + (now - refilled) * perSecond / 1e9);
            refilled = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized long idleFor(long now) {
            return now - refilled;
        }
    }
}
