package io.tributary.bench;

import io.tributary.bench.LatencyRecorder.LatencySummary;

import java.util.List;
import java.util.Locale;

/** Formatting shared by {@link BenchResult} and {@link E2eResult}: numbers, report lines, flat JSON. */
final class ResultFormat {

    static final int MAX_FAILURES_SHOWN = 5;

    private ResultFormat() {
    }

    /** "p50 .. mean ms (n=..)" after {@code label}, or "none recorded". */
    static void latencyLine(StringBuilder b, String label, LatencySummary l) {
        if (l.count() > 0) {
            b.append(String.format(Locale.ROOT, "%sp50 %s  p90 %s  p99 %s  p99.9 %s  max %s  mean %s ms  (n=%,d)%n",
                    label, ms(l.p50Micros()), ms(l.p90Micros()), ms(l.p99Micros()), ms(l.p999Micros()),
                    ms(l.maxMicros()), ms(l.meanMicros()), l.count()));
        } else {
            b.append(label).append("none recorded").append(System.lineSeparator());
        }
    }

    /** The first failures after {@code label}, how many more there were, and that the run was aborted. */
    static void failureLines(StringBuilder b, List<String> failures, String label, String morePlural) {
        int shown = Math.min(failures.size(), MAX_FAILURES_SHOWN);
        for (String failure : failures.subList(0, shown)) {
            b.append(label).append(failure).append(System.lineSeparator());
        }
        if (failures.size() > shown) {
            b.append(String.format(Locale.ROOT, "  ... and %d more %s%n", failures.size() - shown, morePlural));
        }
        b.append("  run aborted: nothing published").append(System.lineSeparator());
    }

    static String rateText(double perPublisher) {
        return perPublisher > 0 ? num(perPublisher, 0) + " msg/s per publisher" : "unlimited";
    }

    static String ms(double micros) {
        return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }

    static String num(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    static String bytes(double perSecond) {
        if (perSecond >= 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", perSecond / (1024 * 1024));
        }
        if (perSecond >= 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", perSecond / 1024);
        }
        return String.format(Locale.ROOT, "%.0f B", perSecond);
    }

    /** Just enough JSON: one flat object of strings, numbers, booleans and nulls. */
    static final class Json {
        private final StringBuilder b;
        private boolean first = true;

        Json(StringBuilder b) {
            this.b = b;
        }

        void field(String name, Object value) {
            if (!first) {
                b.append(',');
            }
            first = false;
            string(name);
            b.append(':');
            if (value == null) {
                b.append("null");
            } else if (value instanceof String s) {
                string(s);
            } else if (value instanceof Double d) {
                b.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.3f", d) : "null");
            } else {
                b.append(value); // Integer, Long, Boolean
            }
        }

        /** The latency percentile fields, null unless {@code recorded}. */
        void latency(LatencySummary l, boolean recorded) {
            field("latency_p50_us", recorded ? l.p50Micros() : null);
            field("latency_p90_us", recorded ? l.p90Micros() : null);
            field("latency_p99_us", recorded ? l.p99Micros() : null);
            field("latency_p999_us", recorded ? l.p999Micros() : null);
            field("latency_max_us", recorded ? l.maxMicros() : null);
            field("latency_mean_us", recorded ? l.meanMicros() : null);
        }

        private void string(String s) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            b.append('"');
        }
    }
}
