package dev.switchboard.security;

import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * Who is on the other end of a connection, as established at the handshake.
 *
 * @param name      the user name: the token's subject, the container login, or a generated guest name
 * @param roles     the roles (groups) the caller holds; empty for guests
 * @param anonymous true for a guest who presented no credentials
 * @param expiresAt when the credentials expire (the connection is then closed with 1008), or null for never
 * @param locale    the language the connection's handshake asked for first ({@code Accept-Language}), or null when it
 *                  named none: Bean Validation's messages in {@code invalid} details are written in it
 */
public record Caller(String name, Set<String> roles, boolean anonymous, Instant expiresAt, Locale locale) {

    public Caller {
        roles = Set.copyOf(roles);
    }

    /** A caller whose language is not known (the server's default is used). */
    public Caller(String name, Set<String> roles, boolean anonymous, Instant expiresAt) {
        this(name, roles, anonymous, expiresAt, null);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /** The same caller, speaking {@code language} (null: unknown). */
    public Caller speaking(Locale language) {
        return language == null || language.equals(locale) ? this : new Caller(name, roles, anonymous, expiresAt, language);
    }
}
