package dev.switchboard.security;

import java.time.Instant;
import java.util.Set;

/**
 * Who is on the other end of a connection, as established at the handshake.
 *
 * @param name      the user name: the token's subject, the container login, or a generated guest name
 * @param roles     the roles (groups) the caller holds; empty for guests
 * @param anonymous true for a guest who presented no credentials
 * @param expiresAt when the credentials expire (the connection is then closed with 1008), or null for never
 */
public record Caller(String name, Set<String> roles, boolean anonymous, Instant expiresAt) {

    public Caller {
        roles = Set.copyOf(roles);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}
