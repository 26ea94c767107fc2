package dev.switchboard.protocol;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a member of a room asked to receive ({@code join.filter}, {@code history.filter}): for each tag named, the
 * values accepted. A publication matches when it has every tag named with one of its accepted values; a publication
 * without the tag does not match. Immutable and thread-safe; matching allocates nothing.
 */
public final class TagFilter {

    /** The most tags a filter names, and values it accepts for one tag. */
    public static final int MAX_TAGS = Tags.MAX_TAGS;
    public static final int MAX_VALUES = 64;
    static final String RULE = "an object of at most " + MAX_TAGS + " tag names, each to a string or an array of at most "
            + MAX_VALUES + " strings (the accepted values)";

    private final String[] names;
    private final Set<String>[] accepted;

    @SuppressWarnings("unchecked")
    private TagFilter(Map<String, Set<String>> byName) {
        this.names = byName.keySet().toArray(new String[0]);
        this.accepted = byName.values().toArray(new Set[0]);
    }

    /**
     * A filter accepting, for each tag named, one of its values; null for null or no tags (everything matches).
     *
     * @throws IllegalArgumentException when it breaks the rules (see {@link #RULE})
     */
    public static TagFilter of(Map<String, ? extends Collection<String>> accepted) {
        if (accepted == null || accepted.isEmpty()) {
            return null;
        }
        if (accepted.size() > MAX_TAGS) {
            throw new IllegalArgumentException("filter: " + RULE);
        }
        Map<String, Set<String>> byName = new TreeMap<>();
        for (Map.Entry<String, ? extends Collection<String>> f : accepted.entrySet()) {
            Collection<String> values = f.getValue();
            if (f.getKey() == null || !Tags.NAME.matcher(f.getKey()).matches() || values == null || values.isEmpty()
                    || values.size() > MAX_VALUES || values.stream().anyMatch(v -> v == null || v.length() > Tags.MAX_VALUE_LENGTH)) {
                throw new IllegalArgumentException("filter " + accepted.keySet() + ": " + RULE);
            }
            byName.put(f.getKey(), Set.copyOf(values));
        }
        return new TagFilter(byName);
    }

    /** The filter of a {@code filter} field; null for an absent or empty one. */
    public static TagFilter fromJson(JsonValue value) {
        if (problem(value) != null) {
            throw new IllegalArgumentException("filter: " + RULE);
        }
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        Map<String, List<String>> accepted = new TreeMap<>();
        for (Map.Entry<String, JsonValue> f : ((JsonObject) value).entrySet()) {
            accepted.put(f.getKey(), f.getValue() instanceof JsonString s ? List.of(s.getString())
                    : ((JsonArray) f.getValue()).getValuesAs(JsonString.class).stream().map(JsonString::getString).toList());
        }
        return of(accepted);
    }

    /** What is wrong with a {@code filter} field, or null when nothing is. */
    static String problem(JsonValue value) {
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (!(value instanceof JsonObject object) || object.size() > MAX_TAGS) {
            return RULE;
        }
        for (Map.Entry<String, JsonValue> f : object.entrySet()) {
            if (!Tags.NAME.matcher(f.getKey()).matches()) {
                return RULE;
            }
            JsonValue v = f.getValue();
            if (v instanceof JsonString s) {
                if (s.getString().length() > Tags.MAX_VALUE_LENGTH) {
                    return RULE;
                }
            } else if (v instanceof JsonArray a) {
                if (a.isEmpty() || a.size() > MAX_VALUES || a.stream().anyMatch(e -> !(e instanceof JsonString s)
                        || s.getString().length() > Tags.MAX_VALUE_LENGTH)) {
                    return RULE;
                }
            } else {
                return RULE;
            }
        }
        return null;
    }

    /** Whether a publication with {@code tags} (null: none) matches. */
    public boolean matches(Map<String, String> tags) {
        if (tags == null) {
            return false;
        }
        for (int i = 0; i < names.length; i++) {
            String value = tags.get(names[i]);
            if (value == null || !accepted[i].contains(value)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the {@code message} frame matches (parses it: for recovery, rewind and history, not the fan-out). */
    public boolean matchesFrame(String frame) {
        JsonObject message = Codec.json().createReader(new StringReader(frame)).readObject();
        return matches(Tags.ofObject(message));
    }

    /** The {@code message} frames that match, in their order (parses each: off the fan-out's path). */
    public List<String> frames(List<String> frames) {
        return frames.stream().filter(this::matchesFrame).toList();
    }

    /** The accepted values by tag name, for the wire. */
    public Map<String, Set<String>> accepted() {
        Map<String, Set<String>> byName = new TreeMap<>();
        for (int i = 0; i < names.length; i++) {
            byName.put(names[i], accepted[i]);
        }
        return byName;
    }

    @Override
    public String toString() {
        return "TagFilter" + accepted();
    }
}
