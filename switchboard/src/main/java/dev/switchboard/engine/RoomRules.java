package dev.switchboard.engine;

import dev.switchboard.security.Caller;
import jakarta.json.JsonValue;
import java.util.Map;

/**
 * The application's rules for rooms, as the engine asks them: before a member joins, before a member's publication
 * goes out, and after a member left. The engine calls them outside every room's lock, on the thread that received
 * the message; an implementation bounds its own time. {@link #governs} is asked first: a room it does not govern
 * costs one lookup and nothing else. Implementations: {@link #NONE}, the CDI adapter's typed handlers
 * ({@code cdi.HandlerRules}), and the tests' own.
 */
public interface RoomRules {

    /** What a rule decided. */
    sealed interface Verdict {
    }

    /** Go on: with {@code data}, the payload to publish (the member's own, or what the rule made of it). */
    record Allowed(JsonValue data) implements Verdict {
    }

    /** Refused: answered to the member as {@code error {re, code, message, details}}. */
    record Refused(String code, String message, Map<String, String> details) implements Verdict {
        public Refused {
            details = details == null ? Map.of() : Map.copyOf(details);
        }
    }

    /** Whether any rule applies to {@code room}; false: the engine asks nothing else about it. */
    boolean governs(String room);

    /** Before {@code caller} joins {@code room} (authorized already). */
    Verdict join(Caller caller, String connection, String room);

    /** Before {@code caller}'s publication of {@code data} to {@code room} goes out (authorized already). */
    Verdict publish(Caller caller, String connection, String room, JsonValue data);

    /** After {@code caller}'s connection left {@code room}; must not block. */
    void left(Caller caller, String connection, String room);

    /** No rules: every room behaves as Switchboard's own. */
    RoomRules NONE = new RoomRules() {
        @Override
        public boolean governs(String room) {
            return false;
        }

        @Override
        public Verdict join(Caller caller, String connection, String room) {
            return new Allowed(null);
        }

        @Override
        public Verdict publish(Caller caller, String connection, String room, JsonValue data) {
            return new Allowed(data);
        }

        @Override
        public void left(Caller caller, String connection, String room) {
        }
    };
}
