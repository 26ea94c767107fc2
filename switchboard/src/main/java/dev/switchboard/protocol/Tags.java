package dev.switchboard.protocol;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The rules of a publication's {@code tags}: a map of short strings a member's {@link TagFilter} selects on. At most
 * {@value #MAX_TAGS} tags; a name is 1–64 of letters, digits and {@code _ . : -}; a value 0–128 characters without
 * control characters. Tags are kept sorted by name, so that one publication always encodes to the same frame.
 */
public final class Tags {

    public static final int MAX_TAGS = 16;
    public static final int MAX_VALUE_LENGTH = 128;
    static final Pattern NAME = MessageRules.METHOD_NAME;
    private static final Pattern VALUE = Pattern.compile("[^\\p{Cntrl}]{0," + MAX_VALUE_LENGTH + "}");
    static final String RULE = "at most " + MAX_TAGS + " tags; names of 1-64 letters, digits and _ . : -; values strings"
            + " of at most " + MAX_VALUE_LENGTH + " characters";

    private Tags() {
    }

    /**
     * {@code tags} checked and sorted by name, unmodifiable; null for null or none.
     *
     * @throws IllegalArgumentException when a tag breaks the rules
     */
    public static Map<String, String> of(Map<String, String> tags) {
        if (tags == null || tags.isEmpty()) {
            return null;
        }
        String problem = problem(tags);
        if (problem != null) {
            throw new IllegalArgumentException("tags " + tags.keySet() + ": " + problem);
        }
        return Collections.unmodifiableMap(new TreeMap<>(tags));
    }

    /** What is wrong with {@code tags}, or null when nothing is. */
    static String problem(Map<String, String> tags) {
        if (tags.size() > MAX_TAGS) {
            return RULE;
        }
        for (Map.Entry<String, String> t : tags.entrySet()) {
            if (t.getKey() == null || !NAME.matcher(t.getKey()).matches() || t.getValue() == null
                    || !VALUE.matcher(t.getValue()).matches()) {
                return RULE;
            }
        }
        return null;
    }

    /**
     * The tags of a JSON object ({@code publish.tags}, a shared log's payload, a {@code message} frame); null for an
     * absent or null field; {@link #WRONG_TYPE} when a value is not a string (or the field not an object).
     */
    static Map<String, String> fromJson(JsonValue value) {
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (!(value instanceof JsonObject object)) {
            return WRONG_TYPE;
        }
        Map<String, String> tags = new TreeMap<>();
        for (Map.Entry<String, JsonValue> t : object.entrySet()) {
            if (!(t.getValue() instanceof JsonString s)) {
                return WRONG_TYPE;
            }
            tags.put(t.getKey(), s.getString());
        }
        return tags.isEmpty() ? null : Collections.unmodifiableMap(tags);
    }

    /** The tags of a {@code message} frame or a shared log's payload (null: none); read off the hot path. */
    public static Map<String, String> ofObject(JsonObject object) {
        Map<String, String> tags = fromJson(object.get("tags"));
        return tags == WRONG_TYPE ? null : tags;
    }

    /** Marks tags of the wrong JSON type. */
    static final Map<String, String> WRONG_TYPE = Collections.unmodifiableMap(new TreeMap<>(Map.of("", "")));
}
