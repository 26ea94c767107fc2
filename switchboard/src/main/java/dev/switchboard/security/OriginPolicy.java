package dev.switchboard.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may open a WebSocket (neither Tyrus nor Undertow checks Origin by default). An origin is
 * allowed when it is exactly the server's own ({@code scheme://Host} of the handshake request) or one of the
 * configured ones, compared as {@code scheme://host:port} with default ports made explicit. The opaque origin
 * {@code null}, origins with a path, user info or query, and anything unparsable are refused. A handshake with no
 * Origin header comes from a non-browser client and is allowed when {@code allowMissing}. Immutable, thread-safe.
 */
public final class OriginPolicy {

    private final Set<String> allowed;
    private final boolean allowMissing;

    public OriginPolicy(List<String> allowed, boolean allowMissing) {
        this.allowed = allowed.stream().map(OriginPolicy::normalize).filter(o -> o != null).collect(Collectors.toUnmodifiableSet());
        this.allowMissing = allowMissing;
    }

    /**
     * @param origin    the Origin header, or null when absent
     * @param scheme    the handshake request's scheme (http or https)
     * @param host      the handshake request's Host header
     */
    public boolean allows(String origin, String scheme, String host) {
        if (origin == null) {
            return allowMissing;
        }
        String normalized = normalize(origin);
        if (normalized == null) {
            return false;
        }
        return normalized.equals(normalize(scheme + "://" + host)) || allowed.contains(normalized);
    }

    /** {@code scheme://host:port} in lower case, or null when {@code origin} is not a plain origin. */
    static String normalize(String origin) {
        if (origin == null || origin.isBlank() || origin.trim().equals("null")) {
            return null;
        }
        try {
            URI uri = new URI(origin.trim());
            String scheme = uri.getScheme();
            if (scheme == null || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                    || uri.getRawFragment() != null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()
                    && !uri.getRawPath().equals("/"))) {
                return null;
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            int port = uri.getPort();
            if (port < 0) {
                port = switch (scheme) {
                    case "http", "ws" -> 80;
                    case "https", "wss" -> 443;
                    default -> -1;
                };
            }
            if (port < 0) {
                return null;
            }
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
