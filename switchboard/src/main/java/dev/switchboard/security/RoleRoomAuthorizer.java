package dev.switchboard.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.Config;

/**
 * The default {@link RoomAuthorizer}: by room class (the part of a room name before the first {@code :}).
 * <ul>
 *   <li>Guests (no credentials) may use only rooms whose class is in {@code switchboard.auth.anonymous-room-classes}
 *       (default {@code demo} and rooms without a class; {@code *} for all).</li>
 *   <li>Guests may send direct messages only with {@code switchboard.auth.anonymous-direct=true}.</li>
 *   <li>{@code switchboard.room-class.<class>.roles} lists roles of which a caller needs one to join, publish or see
 *       presence; without it, any signed-in caller may.</li>
 * </ul>
 */
@ApplicationScoped
public class RoleRoomAuthorizer implements RoomAuthorizer {

    @Inject
    Config config;

    private final Map<String, Set<String>> rolesByClass = new ConcurrentHashMap<>();
    private volatile Set<String> anonymousClasses;

    @Override
    public boolean allows(Caller caller, Action action, String room) {
        String roomClass = roomClass(room);
        if (caller.anonymous()) {
            Set<String> open = anonymousClasses();
            return open.contains("*") || open.contains(roomClass);
        }
        Set<String> required = rolesByClass.computeIfAbsent(roomClass, c -> split(
                config.getOptionalValue("switchboard.room-class." + c + ".roles", String.class).orElse("")));
        return required.isEmpty() || required.stream().anyMatch(caller::hasRole);
    }

    /** Guests may send direct messages only with {@code switchboard.auth.anonymous-direct=true}. */
    @Override
    public boolean allowsDirect(Caller caller, String user) {
        return !caller.anonymous() || config.getOptionalValue("switchboard.auth.anonymous-direct", Boolean.class).orElse(false);
    }

    private Set<String> anonymousClasses() {
        Set<String> classes = anonymousClasses;
        if (classes == null) {
            String value = config.getOptionalValue("switchboard.auth.anonymous-room-classes", String.class).orElse("demo,");
            classes = Arrays.stream(value.split(",", -1)).map(String::trim).collect(Collectors.toUnmodifiableSet());
            anonymousClasses = classes;
        }
        return classes;
    }

    private static Set<String> split(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    private static String roomClass(String room) {
        int colon = room.indexOf(':');
        return colon < 0 ? "" : room.substring(0, colon);
    }
}
