package dev.switchboard.server;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.microprofile.config.Config;

/**
 * Users from {@code switchboard.auth.users} ({@code name:password:role|role,…}), for development and demos. In
 * production, give the application its own {@link IdentityStore} bean (database, LDAP): Jakarta Security consults
 * every identity store. Without the setting this store knows nobody.
 */
@ApplicationScoped
public class ConfiguredIdentityStore implements IdentityStore {

    @Inject
    Config config;

    @Override
    public CredentialValidationResult validate(Credential credential) {
        if (!(credential instanceof UsernamePasswordCredential login)) {
            return CredentialValidationResult.NOT_VALIDATED_RESULT;
        }
        String users = config.getOptionalValue("switchboard.auth.users", String.class).orElse("");
        for (String entry : users.split(",")) {
            String[] parts = entry.trim().split(":", 3);
            if (parts.length >= 2 && parts[0].equals(login.getCaller())
                    && MessageDigest.isEqual(parts[1].getBytes(StandardCharsets.UTF_8),
                    login.getPasswordAsString().getBytes(StandardCharsets.UTF_8))) {
                Set<String> roles = parts.length == 3 ? new HashSet<>(Arrays.asList(parts[2].split("\\|"))) : Set.of();
                return new CredentialValidationResult(login.getCaller(), roles);
            }
        }
        return CredentialValidationResult.INVALID_RESULT;
    }
}
