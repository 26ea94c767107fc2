package dev.switchboard.security;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.enterprise.inject.spi.ProcessBeanAttributes;
import jakarta.enterprise.inject.spi.WithAnnotations;
import jakarta.security.enterprise.authentication.mechanism.http.BasicAuthenticationMechanismDefinition;
import jakarta.security.enterprise.authentication.mechanism.http.CustomFormAuthenticationMechanismDefinition;
import jakarta.security.enterprise.authentication.mechanism.http.FormAuthenticationMechanismDefinition;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.OpenIdAuthenticationMechanismDefinition;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Decides whose {@link HttpAuthenticationMechanism} the application uses: Switchboard's own
 * ({@link SwitchboardAuthenticationMechanism}) unless the application brings one — a bean of its own that implements
 * the interface, or one of Jakarta Security's built-in mechanisms declared with a {@code @…MechanismDefinition}
 * annotation. Jakarta Security 3 allows one mechanism per application: two would make the deployment ambiguous, so
 * Switchboard's steps aside (its bean is vetoed) and Switchboard takes the caller the container authenticated
 * ({@link ApiAccess#callerOf}). Server keys ({@code X-Switchboard-Key}) work either way; tickets and bearer tokens
 * offered at the handshake are then verified by {@code HandshakeFilter}.
 */
public class MechanismChoice implements Extension {

    private static final Logger LOG = Logger.getLogger(MechanismChoice.class.getName());

    private final List<String> applications = new ArrayList<>();

    <T extends HttpAuthenticationMechanism> void mechanism(@Observes ProcessAnnotatedType<T> type) {
        Class<T> bean = type.getAnnotatedType().getJavaClass();
        if (bean != SwitchboardAuthenticationMechanism.class && !bean.isInterface()
                && !Modifier.isAbstract(bean.getModifiers()) && applications(bean)) {
            applications.add(bean.getName());
        }
    }

    /**
     * Whether {@code type} is the application's, not the container's. Container quirk (Payara, GlassFish: Soteria):
     * the container adds its built-in mechanisms (Soteria's form, OpenID…, Payara's certificate, OAuth2…) to every
     * application as annotated types and enables them only for their definitions: those come from the container's
     * class loaders, the application's from the deployment's (WEB-INF/classes and WEB-INF/lib).
     */
    private static boolean applications(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        return loader != null && (loader == MechanismChoice.class.getClassLoader()
                || loader == Thread.currentThread().getContextClassLoader());
    }

    void definition(@Observes @WithAnnotations({BasicAuthenticationMechanismDefinition.class,
            FormAuthenticationMechanismDefinition.class, CustomFormAuthenticationMechanismDefinition.class,
            OpenIdAuthenticationMechanismDefinition.class}) ProcessAnnotatedType<?> type) {
        applications.add(type.getAnnotatedType().getJavaClass().getName() + " (a built-in mechanism's definition)");
    }

    /** Whether the application brought its own mechanism, and Switchboard's stepped aside. */
    public boolean applicationAuthenticates() {
        return !applications.isEmpty();
    }

    void choose(@Observes ProcessBeanAttributes<SwitchboardAuthenticationMechanism> bean) {
        if (!applications.isEmpty()) {
            bean.veto();
            LOG.info("The application authenticates (" + String.join(", ", applications) + "): Switchboard's"
                    + " authentication mechanism steps aside and uses the caller the container established");
        }
    }
}
