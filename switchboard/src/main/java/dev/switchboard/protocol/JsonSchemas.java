package dev.switchboard.protocol;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.Map;

/**
 * JSON Schema (draft-07, as AsyncAPI 3 embeds it) of the Java types JSON-B maps: records and their components,
 * strings, numbers, booleans, enums, lists and maps, {@code JsonValue} (anything). Bean Validation constraints on a
 * record's components become the schema's own ({@code required}, lengths, bounds, patterns), so that a client sees
 * the rules the server checks. Stateless.
 */
public final class JsonSchemas {

    private JsonSchemas() {
    }

    /** The schema of {@code type}; a record nested in itself (directly or not) is described as any object. */
    public static JsonObject of(Type type) {
        return of(type, 0).build();
    }

    private static JsonObjectBuilder of(Type type, int depth) {
        JsonObjectBuilder schema = Codec.json().createObjectBuilder();
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type[] args = p.getActualTypeArguments();
            if (Collection.class.isAssignableFrom(raw)) {
                return schema.add("type", "array").add("items", of(args[0], depth + 1));
            }
            if (Map.class.isAssignableFrom(raw)) {
                return schema.add("type", "object").add("additionalProperties", of(args[1], depth + 1));
            }
            return of(raw, depth);
        }
        if (!(type instanceof Class<?> c)) {
            return schema; // a type variable or wildcard: anything
        }
        if (c == String.class || c == char.class || c == Character.class) {
            return schema.add("type", "string");
        }
        if (c == boolean.class || c == Boolean.class) {
            return schema.add("type", "boolean");
        }
        if (c == int.class || c == long.class || c == short.class || c == byte.class || c == Integer.class
                || c == Long.class || c == Short.class || c == Byte.class || c == java.math.BigInteger.class) {
            return schema.add("type", "integer");
        }
        if (c == double.class || c == float.class || Number.class.isAssignableFrom(c)) {
            return schema.add("type", "number");
        }
        if (c.isEnum()) {
            var values = Codec.json().createArrayBuilder();
            for (Object constant : c.getEnumConstants()) {
                values.add(((Enum<?>) constant).name());
            }
            return schema.add("type", "string").add("enum", values);
        }
        if (c.isArray()) {
            return schema.add("type", "array").add("items", of(c.getComponentType(), depth + 1));
        }
        if (JsonObject.class.isAssignableFrom(c) || Map.class.isAssignableFrom(c)) {
            return schema.add("type", "object");
        }
        if (JsonValue.class.isAssignableFrom(c) || c == Object.class) {
            return schema;
        }
        if (java.time.temporal.Temporal.class.isAssignableFrom(c)) {
            return schema.add("type", "string");
        }
        if (c.isRecord() && depth < 8) {
            return record(c, depth, schema);
        }
        return schema.add("type", "object");
    }

    private static JsonObjectBuilder record(Class<?> c, int depth, JsonObjectBuilder schema) {
        JsonObjectBuilder properties = Codec.json().createObjectBuilder();
        var required = Codec.json().createArrayBuilder();
        boolean anyRequired = false;
        for (RecordComponent component : c.getRecordComponents()) {
            // Bean Validation's constraints do not target record components: they land on the accessor (and field)
            AnnotatedElement rules = component.getAccessor();
            JsonObjectBuilder property = of(component.getGenericType(), depth + 1);
            constraints(rules, component.getType(), property);
            properties.add(component.getName(), property);
            if (component.getType().isPrimitive() || rules.isAnnotationPresent(NotNull.class)
                    || rules.isAnnotationPresent(NotBlank.class) || rules.isAnnotationPresent(NotEmpty.class)) {
                required.add(component.getName());
                anyRequired = true;
            }
        }
        schema.add("type", "object").add("title", c.getSimpleName()).add("properties", properties);
        return anyRequired ? schema.add("required", required) : schema;
    }

    private static void constraints(AnnotatedElement rules, Class<?> type, JsonObjectBuilder property) {
        boolean text = type == String.class;
        boolean many = Collection.class.isAssignableFrom(type) || type.isArray();
        if (rules.isAnnotationPresent(NotBlank.class) || (text && rules.isAnnotationPresent(NotEmpty.class))) {
            property.add("minLength", 1);
        }
        Size size = rules.getAnnotation(Size.class);
        if (size != null && (text || many)) {
            if (size.min() > 0) {
                property.add(text ? "minLength" : "minItems", size.min());
            }
            if (size.max() < Integer.MAX_VALUE) {
                property.add(text ? "maxLength" : "maxItems", size.max());
            }
        }
        Min min = rules.getAnnotation(Min.class);
        if (min != null) {
            property.add("minimum", min.value());
        }
        Max max = rules.getAnnotation(Max.class);
        if (max != null) {
            property.add("maximum", max.value());
        }
        if (rules.isAnnotationPresent(Positive.class)) {
            property.add("exclusiveMinimum", 0);
        }
        if (rules.isAnnotationPresent(PositiveOrZero.class)) {
            property.add("minimum", 0);
        }
        Pattern pattern = rules.getAnnotation(Pattern.class);
        if (pattern != null) {
            property.add("pattern", "^(?:" + pattern.regexp() + ")$"); // JSON Schema searches; Bean Validation matches whole
        }
    }
}
