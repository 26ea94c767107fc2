package dev.switchboard.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.Converter;

/** MicroProfile Config over a map: the settings a test gives, nothing else. */
public final class MapConfig implements Config {
    private final Map<String, String> values;

    public MapConfig(Map<String, String> values) {
        this.values = new HashMap<>(values);
    }

    @Override
    public <T> T getValue(String name, Class<T> type) {
        return getOptionalValue(name, type).orElseThrow();
    }

    @Override
    public ConfigValue getConfigValue(String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> Optional<T> getOptionalValue(String name, Class<T> type) {
        String v = values.get(name);
        if (v == null) {
            return Optional.empty();
        }
        Object converted = type == Integer.class ? Integer.valueOf(v) : type == Long.class ? Long.valueOf(v)
                : type == Boolean.class ? Boolean.valueOf(v) : v;
        return Optional.of((T) converted);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> Optional<List<T>> getOptionalValues(String name, Class<T> type) {
        String v = values.get(name);
        return v == null ? Optional.empty() : Optional.of((List<T>) Arrays.asList(v.split(",")));
    }

    @Override
    public Iterable<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public Iterable<ConfigSource> getConfigSources() {
        return Collections.emptyList();
    }

    @Override
    public <T> Optional<Converter<T>> getConverter(Class<T> type) {
        return Optional.empty();
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        throw new UnsupportedOperationException();
    }
}
