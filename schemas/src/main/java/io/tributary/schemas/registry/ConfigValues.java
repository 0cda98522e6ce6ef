package io.tributary.schemas.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;

/** Reads values of a Kafka-style configuration map, which may hold strings or typed values; errors name the key. */
final class ConfigValues {

    private final Map<String, ?> config;

    ConfigValues(Map<String, ?> config) {
        this.config = config == null ? Map.of() : config;
    }

    Object raw(String key) {
        return config.get(key);
    }

    /** The value as a string (a list joined with commas, a class by its name), or null if absent. */
    String string(String key) {
        Object value = config.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        if (value instanceof Class<?> type) {
            return type.getName();
        }
        if (value instanceof org.apache.kafka.common.config.types.Password password) {
            return password.value();
        }
        return value.toString();
    }

    boolean bool(String key, boolean defaultValue) {
        Object value = config.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String s = value.toString().trim();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new ConfigException(key, value, "expected true or false");
    }

    Optional<Long> longValue(String key, long min) {
        Object value = config.get(key);
        if (value == null) {
            return Optional.empty();
        }
        long n;
        if (value instanceof Number number) {
            n = number.longValue();
        } else {
            try {
                n = Long.parseLong(value.toString().trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(key, value, "expected a whole number");
            }
        }
        if (n < min) {
            throw new ConfigException(key, value, "must be at least " + min);
        }
        return Optional.of(n);
    }

    Optional<Integer> integer(String key, int min) {
        return longValue(key, min).map(n -> {
            if (n > Integer.MAX_VALUE) {
                throw new ConfigException(key, n, "too large");
            }
            return n.intValue();
        });
    }

    Optional<Duration> millis(String key, long min) {
        return longValue(key, min).map(Duration::ofMillis);
    }
}
