package dev.switchboard.cdi;

import dev.switchboard.Rejection;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ErrorCode;
import jakarta.json.JsonValue;
import jakarta.json.bind.JsonbException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.MessageInterpolator;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The application's payloads: JSON decoded into its types with the protocol's one {@code Jsonb}, validated with Bean
 * Validation, and its answers encoded back. Stateless; a payload that does not fit is a {@link Rejection}
 * {@code invalid} whose {@code details} name each property and what is wrong with it, in the caller's language
 * where Bean Validation has its messages in it (else in the server's default).
 */
final class Payloads {

    /** Validators kept per language at most: a language beyond them gets a validator made for the call. */
    private static final int LANGUAGES = 32;

    private final ValidatorFactory factory;
    private final Validator validator;
    private final Map<Locale, Validator> byLanguage = new ConcurrentHashMap<>();

    /** {@code factory}: null when the container has no Bean Validation (payloads are then only decoded). */
    Payloads(ValidatorFactory factory) {
        this.factory = factory;
        this.validator = factory == null ? null : factory.getValidator();
    }

    /**
     * {@code data} as a {@code type}, valid; {@code JsonValue} types take the JSON as it is. {@code language}: the
     * caller's (null: the server's default), for the messages of the violations.
     */
    <T> T decode(JsonValue data, Class<T> type, Locale language) {
        JsonValue json = data == null ? JsonValue.NULL : data;
        if (type.isInstance(json)) {
            return type.cast(json);
        }
        if (json.getValueType() == JsonValue.ValueType.NULL) {
            throw new Rejection(ErrorCode.INVALID, "data is required: a " + type.getSimpleName(), Map.of("data", "required"));
        }
        T value;
        try {
            value = Codec.jsonb().fromJson(json.toString(), type);
        } catch (JsonbException e) {
            throw new Rejection(ErrorCode.INVALID, "data is not a " + type.getSimpleName() + ": " + rootMessage(e),
                    Map.of("data", "not a " + type.getSimpleName()));
        }
        if (validator != null) {
            Set<ConstraintViolation<T>> violations = validator(language).validate(value);
            if (!violations.isEmpty()) {
                Map<String, String> details = new TreeMap<>();
                for (ConstraintViolation<T> v : violations) {
                    String property = v.getPropertyPath().toString();
                    details.merge(property.isEmpty() ? "data" : property, v.getMessage(), (a, b) -> a + "; " + b);
                }
                throw new Rejection(ErrorCode.INVALID, "data is not a valid " + type.getSimpleName() + ": "
                        + details.size() + (details.size() == 1 ? " property" : " properties") + " at fault", details);
            }
        }
        return value;
    }

    private Validator validator(Locale language) {
        if (language == null) {
            return validator;
        }
        Validator known = byLanguage.get(language);
        if (known != null) {
            return known;
        }
        MessageInterpolator interpolator = new InLanguage(factory.getMessageInterpolator(), language);
        Validator made = factory.usingContext().messageInterpolator(interpolator).getValidator();
        if (byLanguage.size() < LANGUAGES) {
            byLanguage.putIfAbsent(language, made);
        }
        return made;
    }

    /** The container's interpolator, always in one language. */
    private record InLanguage(MessageInterpolator interpolator, Locale language) implements MessageInterpolator {
        @Override
        public String interpolate(String template, Context context) {
            return interpolator.interpolate(template, context, language);
        }

        @Override
        public String interpolate(String template, Context context, Locale locale) {
            return interpolator.interpolate(template, context, locale);
        }
    }

    /** The JSON of an application's answer: a {@code JsonValue} as it is, anything else with JSON-B. */
    JsonValue encode(Object value) {
        if (value == null) {
            return JsonValue.NULL;
        }
        if (value instanceof JsonValue json) {
            return json;
        }
        return Codec.parseOrNull(Codec.jsonb().toJson(value));
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message.length() > 200 ? message.substring(0, 200) : message;
    }
}
