package io.tributary.config;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Masking of secret Kafka properties wherever the configuration is shown. */
final class Secrets {

    static final String MASK = "******";

    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|secret|jaas|token|user\\.info).*");

    private Secrets() {
    }

    static boolean isSecret(String key) {
        return SECRET_KEY.matcher(key).matches();
    }

    /** The map with the values of secret keys replaced by {@link #MASK}. */
    static Map<String, String> mask(Map<String, String> map) {
        Map<String, String> masked = new TreeMap<>();
        map.forEach((k, v) -> masked.put(k, isSecret(k) ? MASK : v));
        return Collections.unmodifiableMap(masked);
    }

    /** An immutable copy sorted by key, so that printing is stable. */
    static Map<String, String> sortedCopy(Map<String, String> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(map));
    }
}
