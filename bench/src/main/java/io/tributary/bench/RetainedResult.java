package io.tributary.bench;

import io.tributary.bench.ResultFormat.Json;

import java.util.List;
import java.util.Locale;

import static io.tributary.bench.ResultFormat.failureLines;
import static io.tributary.bench.ResultFormat.num;

/**
 * Outcome of one {@link RetainedBench} run and its two renderings (text, one flat JSON object):
 * the store phase, then one {@link Received} per subscribe phase ({@code all} on {@code #},
 * {@code narrow} on one bucket; null when it did not run).
 */
record RetainedResult(
        RetainedConfig config,
        String transport,
        int publishersReady,
        int window,
        long stored,
        double storeSeconds,
        Received all,
        Received narrow,
        long publisherErrors,
        long publisherDisconnects,
        long subscriberErrors,
        long subscriberDisconnects,
        List<String> failures) implements OutputOptions.Report {

    RetainedResult {
        failures = List.copyOf(failures);
    }

    /**
     * What one fresh subscriber received for {@code filter}: {@code totals} from its delivery
     * accounting (a bucket per "publisher"; lost = missing), {@code observed} from its probe.
     */
    record Received(String filter, long expected, DeliveryTracker.Totals totals, RetainedProbe.Observed observed) {

        long missing() {
            return totals.lost();
        }

        Double subAckMs() {
            return observed.sinceSubscribe(observed.subAckNanos());
        }

        Double firstMs() {
            return observed.sinceSubscribe(observed.firstNanos());
        }

        /** SUBSCRIBE to the last first arrival: with nothing missing, the time to receive the whole set. */
        Double lastMs() {
            return observed.sinceSubscribe(observed.lastNewNanos());
        }

        Double perSecond() {
            Double last = lastMs();
            return last == null || last <= 0 ? null : totals.received() / (last / 1000);
        }

        /** Nothing missing, every PUBLISH retained and of its topic, nothing unexpected; no duplicates at QoS 2. */
        boolean clean(int deliveryQos) {
            return missing() == 0 && totals.unexpected() == 0 && observed.notRetained() == 0
                    && observed.mismatched() == 0 && (deliveryQos < 2 || totals.duplicates() == 0);
        }

        void json(Json j, String prefix) {
            j.field(prefix + "filter", filter);
            j.field(prefix + "expected", expected);
            j.field(prefix + "received", totals.received());
            j.field(prefix + "missing", missing());
            j.field(prefix + "duplicates", totals.duplicates());
            j.field(prefix + "unexpected", totals.unexpected());
            j.field(prefix + "publishes", observed.publishes());
            j.field(prefix + "not_retained", observed.notRetained());
            j.field(prefix + "mismatched", observed.mismatched());
            j.field(prefix + "suback_ms", subAckMs());
            j.field(prefix + "first_ms", firstMs());
            j.field(prefix + "last_ms", lastMs());
            j.field(prefix + "per_s", perSecond());
        }

        static void nullJson(Json j, String prefix) {
            for (String f : List.of("filter", "expected", "received", "missing", "duplicates", "unexpected", "publishes",
                    "not_retained", "mismatched", "suback_ms", "first_ms", "last_ms", "per_s")) {
                j.field(prefix + f, null);
            }
        }

        void text(StringBuilder b, String label) {
            b.append(String.format(Locale.ROOT, "  %-15s %s: SUBACK after %s ms, first after %s ms, %,d of %,d in %s ms  %s msg/s%n",
                    label, filter, ms(subAckMs()), ms(firstMs()), totals.received(), expected, ms(lastMs()),
                    perSecond() == null ? "-" : String.format(Locale.ROOT, "%,.0f", perSecond())));
            b.append(String.format(Locale.ROOT, "  %-15s missing %,d, duplicates %,d, without RETAIN %,d, not of their topic %,d, "
                            + "unexpected %,d (%,d PUBLISH received)%n",
                    "", missing(), totals.duplicates(), observed.notRetained(), observed.mismatched(),
                    totals.unexpected(), observed.publishes()));
        }

        private static String ms(Double value) {
            return value == null ? "-" : num(value, 1);
        }
    }

    double storePerSecond() {
        return storeSeconds > 0 ? stored / storeSeconds : 0;
    }

    boolean storeComplete() {
        return stored == config.topics().count();
    }

    @Override
    public boolean clean() {
        int qos = config.deliveryQos();
        return failures.isEmpty() && storeComplete() && publisherErrors == 0 && publisherDisconnects == 0
                && subscriberErrors == 0 && subscriberDisconnects == 0
                && all != null && all.clean(qos) && (!config.narrow() || narrow != null && narrow.clean(qos));
    }

    @Override
    public String toText() {
        BenchConfig c = config.publishers();
        StringBuilder b = new StringBuilder(1024);
        b.append(String.format(Locale.ROOT,
                "RetainedBench: %,d retained topics (%s/<i/1000>/<i>), %d-byte payload, QoS %d from %d publisher%s "
                        + "(window %d), subscribe QoS %d, MQTT %s, %s%n",
                config.topics().count(), config.topics().prefix(), c.payloadBytes(), c.qos().value(), c.publishers(),
                c.publishers() == 1 ? "" : "s", window, config.subscribeQos().value(), c.protocolName(), transport));
        if (publishersReady < c.publishers()) {
            b.append(String.format(Locale.ROOT, "  ready           %d of %d publishers%n", publishersReady, c.publishers()));
            failureLines(b, failures, "  FAILED          ", "failures");
            return b.toString();
        }
        b.append(String.format(Locale.ROOT, "  store           %,d of %,d %s in %s s  %,.0f msg/s%n", stored,
                config.topics().count(), c.acknowledged() ? "acknowledged" : "written", num(storeSeconds, 3),
                storePerSecond()));
        b.append(String.format(Locale.ROOT, "  settle          %s s%n", num(config.settle().toMillis() / 1000.0, 1)));
        if (all != null) {
            all.text(b, "subscribe #");
        }
        if (narrow != null) {
            narrow.text(b, "subscribe +");
        }
        for (String failure : failures) {
            b.append("  FAILED          ").append(failure).append(System.lineSeparator());
        }
        b.append(String.format(Locale.ROOT, "  errors          %d publisher, %d subscriber; disconnects %d publisher, %d subscriber%n",
                publisherErrors, subscriberErrors, publisherDisconnects, subscriberDisconnects));
        if (!clean()) {
            b.append("  UNCLEAN: ").append(config.deliveryQos() < 2 ? "messages missing, not retained or not ours, "
                    : "messages missing or duplicated, not retained or not ours, ")
                    .append("or errors/disconnects (see above)").append(System.lineSeparator());
        }
        return b.toString();
    }

    @Override
    public String toJson() {
        StringBuilder b = new StringBuilder(1024).append('{');
        Json j = new Json(b);
        BenchConfig c = config.publishers();
        j.field("tool", "RetainedBench");
        j.field("host", c.host());
        j.field("port", c.port());
        j.field("protocol", c.protocolName());
        j.field("qos", c.qos().value());
        j.field("sub_qos", config.subscribeQos().value());
        j.field("topics", config.topics().count());
        j.field("topic_prefix", config.topics().prefix());
        j.field("clients", c.publishers());
        j.field("publishers_ready", publishersReady);
        j.field("payload_bytes", c.payloadBytes());
        j.field("max_inflight", c.maxInflight());
        j.field("window", window);
        j.field("transport", transport);
        j.field("settle_s", config.settle().toMillis() / 1000.0);
        j.field("store_acked", stored);
        j.field("store_unacked", config.topics().count() - stored);
        j.field("store_s", storeSeconds);
        j.field("store_per_s", storeSeconds > 0 ? storePerSecond() : null);
        if (all != null) {
            all.json(j, "all_");
        } else {
            Received.nullJson(j, "all_");
        }
        if (narrow != null) {
            narrow.json(j, "narrow_");
        } else {
            Received.nullJson(j, "narrow_");
        }
        // per role in the text only
        j.field("errors", publisherErrors + subscriberErrors);
        j.field("disconnects", publisherDisconnects + subscriberDisconnects);
        j.field("connect_failures", failures.size());
        j.field("connect_failure", failures.isEmpty() ? null : failures.get(0));
        j.field("clean", clean());
        return b.append('}').toString();
    }
}
