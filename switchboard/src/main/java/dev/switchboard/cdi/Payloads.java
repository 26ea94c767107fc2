package dev.switchboard.cdi;

import dev.switchboard.Rejection;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ErrorCode;
import jakarta.json.JsonValue;
import jakarta.json.bind.JsonbException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The application's payloads: JSON decoded into its types with the protocol's one {@code Jsonb}, validated with Bean
 * Validation, and its answers encoded back. Stateless; a payload that does not fit is a {@link Rejection}
 * {@code invalid} whose {@code details} name each property and what is wrong with it.
 */
final class Payloads {

    private final Validator validator;

    /** {@code validator}: null when the container has no Bean Validation (payloads are then only decoded). */
    Payloads(Validator validator) {
        this.validator = validator;
    }

    /** {@code data} as a {@code type}, valid; {@code JsonValue} types take the JSON as it is. */
    <T> T decode(JsonValue data, Class<T> type) {
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
            Set<ConstraintViolation<T>> violations = validator.validate(value);
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
