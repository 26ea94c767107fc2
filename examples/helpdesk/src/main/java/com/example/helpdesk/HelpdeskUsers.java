package com.example.helpdesk;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;
import java.util.Map;
import java.util.Set;

/** The help desk's users (a real desk would use a database or LDAP store): two agents and two customers. */
@ApplicationScoped
public class HelpdeskUsers implements IdentityStore {

    private record User(String password, Set<String> roles) {
    }

    private static final Map<String, User> USERS = Map.of(
            "ada", new User("ada-secret", Set.of("agent")),
            "bob", new User("bob-secret", Set.of("agent")),
            "carol", new User("carol-secret", Set.of("customer")),
            "dan", new User("dan-secret", Set.of("customer")));

    @Override
    public CredentialValidationResult validate(Credential credential) {
        if (credential instanceof UsernamePasswordCredential login) {
            User user = USERS.get(login.getCaller());
            if (user != null && user.password().equals(login.getPasswordAsString())) {
                return new CredentialValidationResult(login.getCaller(), user.roles());
            }
            return CredentialValidationResult.INVALID_RESULT;
        }
        return CredentialValidationResult.NOT_VALIDATED_RESULT;
    }
}
