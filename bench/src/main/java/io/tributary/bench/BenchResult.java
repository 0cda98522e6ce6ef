package io.tributary.bench;

import io.tributary.bench.LatencyRecorder.LatencySummary;

import java.util.List;
import java.util.Locale;

/**
 * Outcome of one run, and its two renderings: the human report and one flat JSON object (flat so
 * that shell scripts can pick fields without a JSON library). Rates are per measured second.
 */
public record BenchResult(
        BenchConfig config,
        String transport,
        int connected,
        int effectiveWindow,
        double measuredSeconds,
        long published,
        long acked,
        long ackedInWindow,
        long errors,
        long disconnects,
        List<String> connectFailures,
        LatencySummary latency) {

    static final int MAX_FAILURES_SHOWN = 5;

    public BenchResult {
        connectFailures = List.copyOf(connectFailures);
    }

    public long unacked() {
        return config.acknowledged() ? Math.max(0, published - acked) : 0;
    }

    public double publishedPerSecond() {
        return rate(published);
    }

    public double ackedPerSecond() {
        return rate(ackedInWindow);
    }

    public double payloadBytesPerSecond() {
        return rate(published * (long) config.payloadBytes());
    }

    private double rate(long count) {
        return measuredSeconds > 0 ? count / measuredSeconds : 0;
    }

    /** Connections all came up and none was lost, nothing was refused by the broker. */
    public boolean clean() {
        return connectFailures.isEmpty() && errors == 0 && disconnects == 0;
    }

    public String toJson() {
        StringBuilder b = new StringBuilder(1024).append('{');
        Json j = new Json(b);
        j.field("tool", "PublishBench");
        j.field("host", config.host());
        j.field("port", config.port());
        j.field("protocol", config.protocolName());
        j.field("qos", config.qos().value());
        j.field("publishers", config.publishers());
        j.field("connected", connected);
        j.field("payload_bytes", config.payloadBytes());
        j.field("warmup_s", config.warmup().toMillis() / 1000.0);
        j.field("duration_s", config.duration().toMillis() / 1000.0);
        j.field("measured_s", measuredSeconds);
        j.field("rate_per_publisher", config.ratePerPublisher());
        j.field("max_inflight", config.maxInflight());
        j.field("effective_window", effectiveWindow);
        j.field("transport", transport);
        j.field("published", published);
        j.field("published_per_s", publishedPerSecond());
        j.field("payload_bytes_per_s", payloadBytesPerSecond());
        boolean acks = config.acknowledged();
        j.field("acked", acks ? acked : null);
        j.field("acked_per_s", acks ? ackedPerSecond() : null);
        j.field("unacked", acks ? unacked() : null);
        boolean lat = acks && latency.count() > 0;
        j.field("latency_count", acks ? latency.count() : null);
        j.field("latency_p50_us", lat ? latency.p50Micros() : null);
        j.field("latency_p90_us", lat ? latency.p90Micros() : null);
        j.field("latency_p99_us", lat ? latency.p99Micros() : null);
        j.field("latency_p999_us", lat ? latency.p999Micros() : null);
        j.field("latency_max_us", lat ? latency.maxMicros() : null);
        j.field("latency_mean_us", lat ? latency.meanMicros() : null);
        j.field("errors", errors);
        j.field("disconnects", disconnects);
        j.field("connect_failures", connectFailures.size());
        j.field("connect_failure", connectFailures.isEmpty() ? null : connectFailures.get(0));
        j.field("clean", clean());
        return b.append('}').toString();
    }

    public String toText() {
        StringBuilder b = new StringBuilder(1024);
        b.append(String.format(Locale.ROOT,
                "PublishBench: MQTT %s, QoS %d, %d publishers, %d-byte payload, %s s measured (+%s s warm-up), "
                        + "window %s, rate %s, %s%n",
                config.protocolName(), config.qos().value(), config.publishers(), config.payloadBytes(),
                num(measuredSeconds, 1), num(config.warmup().toMillis() / 1000.0, 0),
                config.acknowledged() ? Integer.toString(effectiveWindow) : "n/a",
                config.ratePerPublisher() > 0 ? num(config.ratePerPublisher(), 0) + " msg/s per publisher" : "unlimited",
                transport));
        b.append(String.format(Locale.ROOT, "  connected       %d of %d%n", connected, config.publishers()));
        if (!connectFailures.isEmpty()) {
            int shown = Math.min(connectFailures.size(), MAX_FAILURES_SHOWN);
            for (String failure : connectFailures.subList(0, shown)) {
                b.append("  CONNECT FAILED  ").append(failure).append(System.lineSeparator());
            }
            if (connectFailures.size() > shown) {
                b.append(String.format(Locale.ROOT, "  ... and %d more connection failures%n", connectFailures.size() - shown));
            }
            b.append("  run aborted: nothing published").append(System.lineSeparator());
            return b.toString();
        }
        b.append(String.format(Locale.ROOT, "  published       %,d msgs  %,.0f msg/s  %s/s payload%n",
                published, publishedPerSecond(), bytes(payloadBytesPerSecond())));
        if (config.acknowledged()) {
            String ack = config.qos().value() == 1 ? "PUBACK" : "PUBCOMP";
            b.append(String.format(Locale.ROOT, "  acknowledged    %,d of %,d published (%s)  %,.0f msg/s received in window%n",
                    acked, published, ack, ackedPerSecond()));
            b.append(String.format(Locale.ROOT, "  unacknowledged  %,d after drain%n", unacked()));
            if (latency.count() > 0) {
                b.append(String.format(Locale.ROOT,
                        "  ack latency     p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  mean %s ms  (n=%,d)%n",
                        ms(latency.p50Micros()), ms(latency.p90Micros()), ms(latency.p99Micros()),
                        ms(latency.p999Micros()), ms(latency.maxMicros()), ms(latency.meanMicros()), latency.count()));
            } else {
                b.append("  ack latency     none recorded").append(System.lineSeparator());
            }
        } else {
            b.append("  acknowledged    n/a: QoS 0 has no acknowledgement; published = written to the socket")
                    .append(System.lineSeparator());
        }
        b.append(String.format(Locale.ROOT, "  errors          %d, disconnects %d%n", errors, disconnects));
        return b.toString();
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
