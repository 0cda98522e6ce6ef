package io.tributary.bench;

import io.tributary.bench.LatencyRecorder.LatencySummary;

import io.tributary.bench.ResultFormat.Json;

import java.util.List;
import java.util.Locale;

import static io.tributary.bench.ResultFormat.bytes;
import static io.tributary.bench.ResultFormat.failureLines;
import static io.tributary.bench.ResultFormat.latencyLine;
import static io.tributary.bench.ResultFormat.num;
import static io.tributary.bench.ResultFormat.rateText;

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
        LatencySummary latency) implements OutputOptions.Report {

    public BenchResult {
        connectFailures = List.copyOf(connectFailures);
    }

    @Override
    public List<String> failures() {
        return connectFailures;
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
    @Override
    public boolean clean() {
        return connectFailures.isEmpty() && errors == 0 && disconnects == 0;
    }

    @Override
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
        j.latency(latency, lat);
        j.field("errors", errors);
        j.field("disconnects", disconnects);
        j.field("connect_failures", connectFailures.size());
        j.field("connect_failure", connectFailures.isEmpty() ? null : connectFailures.get(0));
        j.field("clean", clean());
        return b.append('}').toString();
    }

    @Override
    public String toText() {
        StringBuilder b = new StringBuilder(1024);
        b.append(String.format(Locale.ROOT,
                "PublishBench: MQTT %s, QoS %d, %d publishers, %d-byte payload, %s s measured (+%s s warm-up), "
                        + "window %s, rate %s, %s%n",
                config.protocolName(), config.qos().value(), config.publishers(), config.payloadBytes(),
                num(measuredSeconds, 1), num(config.warmup().toMillis() / 1000.0, 0),
                config.acknowledged() ? Integer.toString(effectiveWindow) : "n/a",
                rateText(config.ratePerPublisher()),
                transport));
        b.append(String.format(Locale.ROOT, "  connected       %d of %d%n", connected, config.publishers()));
        if (!connectFailures.isEmpty()) {
            failureLines(b, connectFailures, "  CONNECT FAILED  ", "connection failures");
            return b.toString();
        }
        b.append(String.format(Locale.ROOT, "  published       %,d msgs  %,.0f msg/s  %s/s payload%n",
                published, publishedPerSecond(), bytes(payloadBytesPerSecond())));
        if (config.acknowledged()) {
            String ack = config.qos().value() == 1 ? "PUBACK" : "PUBCOMP";
            b.append(String.format(Locale.ROOT, "  acknowledged    %,d of %,d published (%s)  %,.0f msg/s received in window%n",
                    acked, published, ack, ackedPerSecond()));
            b.append(String.format(Locale.ROOT, "  unacknowledged  %,d after drain%n", unacked()));
            latencyLine(b, "  ack latency     ", latency);
        } else {
            b.append("  acknowledged    n/a: QoS 0 has no acknowledgement; published = written to the socket")
                    .append(System.lineSeparator());
        }
        b.append(String.format(Locale.ROOT, "  errors          %d, disconnects %d%n", errors, disconnects));
        return b.toString();
    }
}
