package io.tributary.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The duration syntax of the configuration: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d} or ISO-8601. */
final class Durations {

    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /** Parses a duration, or throws {@link IllegalArgumentException} whose message says what is accepted. */
    static Duration parse(String text) {
        String t = text.trim();
        Matcher m = SHORT.matcher(t);
        try {
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "ms":
                        return Duration.ofMillis(amount);
                    case "s":
                        return Duration.ofSeconds(amount);
                    case "m":
                        return Duration.ofMinutes(amount);
                    case "h":
                        return Duration.ofHours(amount);
                    default:
                        return Duration.ofDays(amount);
                }
            }
            if (t.startsWith("P") || t.startsWith("p") || t.startsWith("-P")) {
                return Duration.parse(t);
            }
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration (write e.g. 500ms, 10s, 2m, 1h or PT10S)");
    }

    /** The shortest form {@link #parse} reads back to the same value. */
    static String format(Duration d) {
        if (d.isNegative() || d.getNano() % 1_000_000 != 0 || d.getSeconds() > Long.MAX_VALUE / 1000) {
            return d.toString();
        }
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }
}
