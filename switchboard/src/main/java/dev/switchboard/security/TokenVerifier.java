package dev.switchboard.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.Config;

/**
 * Verifies the signed tokens (JWT, HS256) that API clients present at the handshake. The key comes from
 * {@code switchboard.auth.jwt-secret} (at least 32 bytes); {@code switchboard.auth.jwt-issuer}, when set, must match
 * {@code iss}. The token must carry {@code sub} and {@code exp}; roles come from {@code groups}; a token issued
 * ({@code iat}) before its user was revoked, or without {@code iat} after it, is refused. Without a key, no
 * token is accepted. Thread-safe; tokens are never logged.
 */
@ApplicationScoped
public class TokenVerifier {

    @Inject
    Config config;

    @Inject
    Revocations revocations;

    Clock clock = Clock.systemUTC();

    /** The caller the token names, or empty when it is malformed, forged, expired or from another issuer. */
    public Optional<Caller> verify(String token) {
        Optional<String> secret = config.getOptionalValue("switchboard.auth.jwt-secret", String.class);
        if (secret.isEmpty() || secret.get().getBytes(StandardCharsets.UTF_8).length < 32 || token == null) {
            return Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())
                    || !jwt.verify(new MACVerifier(secret.get().getBytes(StandardCharsets.UTF_8)))) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Instant now = clock.instant();
            if (claims.getSubject() == null || claims.getExpirationTime() == null
                    || !claims.getExpirationTime().toInstant().isAfter(now)
                    || (claims.getNotBeforeTime() != null && claims.getNotBeforeTime().toInstant().isAfter(now))) {
                return Optional.empty();
            }
            Optional<String> issuer = config.getOptionalValue("switchboard.auth.jwt-issuer", String.class);
            if (issuer.isPresent() && !issuer.get().equals(claims.getIssuer())) {
                return Optional.empty();
            }
            Instant issued = claims.getIssueTime() == null ? null : claims.getIssueTime().toInstant();
            if (revocations.isRevoked(claims.getSubject(), issued)) {
                return Optional.empty();
            }
            Set<String> roles = new HashSet<>();
            List<String> groups = claims.getStringListClaim("groups");
            if (groups != null) {
                roles.addAll(groups);
            }
            return Optional.of(new Caller(claims.getSubject(), roles, false, claims.getExpirationTime().toInstant()));
        } catch (ParseException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
