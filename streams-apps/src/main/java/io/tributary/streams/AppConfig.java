package io.tributary.streams;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of a standalone streams app, from a properties file: typed look-ups with defaults that fail naming
 * the setting, {@code kafka.*} passed through to Kafka Streams, and a final check that every key was understood
 * (a misspelt key fails the start instead of being ignored).
 */
public final class AppConfig {

    /** Keys starting with this are Kafka Streams and client settings, passed through without the prefix. */
    public static final String KAFKA_PREFIX = "kafka.";

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private final String source;
    private final Map<String, String> values;
    private final Set<String> read = new HashSet<>();

    private AppConfig(String source, Map<String, String> values) {
        this.source = source;
        this.values = values;
    }

    /** Settings given in code; {@code source} names them in messages. */
    public static AppConfig of(String source, Map<String, String> values) {
        Map<String, String> trimmed = new TreeMap<>();
        values.forEach((k, v) -> trimmed.put(k.trim(), v == null ? "" : v.trim()));
        return new AppConfig(source, trimmed);
    }

    /** No settings: every look-up takes its default. */
    public static AppConfig empty() {
        return of("defaults", Map.of());
    }

    /** Reads a properties file (UTF-8). */
    public static AppConfig load(Path file) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new SettingException("cannot read --config " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k)));
        return of(file.toString(), values);
    }

    /** Where the settings come from (a file name), for messages. */
    public String source() {
        return source;
    }

    public String string(String key, String defaultValue) {
        read.add(key);
        String value = values.get(key);
        return value == null || value.isEmpty() ? defaultValue : value;
    }

    public int integer(String key, int defaultValue) {
        String text = string(key, null);
        if (text == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw invalid(key, "'" + text + "' is not an integer");
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        String text = string(key, null);
        if (text == null) {
            return defaultValue;
        }
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, "'" + text + "' is not true or false");
        };
    }

    /** A duration written {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d} or ISO-8601 ({@code PT10S}). */
    public Duration duration(String key, Duration defaultValue) {
        String text = string(key, null);
        if (text == null) {
            return defaultValue;
        }
        Matcher m = SHORT_DURATION.matcher(text);
        try {
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
            }
            if (text.startsWith("P") || text.startsWith("-P")) {
                return Duration.parse(text);
            }
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            // reported below
        }
        throw invalid(key, "'" + text + "' is not a duration (write e.g. 500ms, 10s, 2m, 1h or PT10S)");
    }

    /** A comma-separated list; blank entries are dropped. An empty value is the empty list. */
    public List<String> list(String key, List<String> defaultValue) {
        read.add(key);
        String text = values.get(key);
        if (text == null) {
            return defaultValue;
        }
        List<String> items = new ArrayList<>();
        Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(items::add);
        return List.copyOf(items);
    }

    /** The {@code kafka.*} settings without the prefix, for Kafka Streams and its clients. */
    public Map<String, Object> kafka() {
        Map<String, Object> kafka = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(KAFKA_PREFIX) && k.length() > KAFKA_PREFIX.length()) {
                read.add(k);
                kafka.put(k.substring(KAFKA_PREFIX.length()), v);
            }
        });
        return kafka;
    }

    /** Fails naming the first key that no look-up asked for. */
    public void checkAllRead() {
        for (String key : values.keySet()) {
            if (!read.contains(key)) {
                throw new SettingException("unknown setting '" + key + "' in " + source
                        + " (Kafka settings take the prefix " + KAFKA_PREFIX + ")");
            }
        }
    }

    /** An exception saying that {@code key} is invalid because of {@code problem}. */
    public SettingException invalid(String key, String problem) {
        return new SettingException("invalid setting " + key + " in " + source + ": " + problem);
    }
}
