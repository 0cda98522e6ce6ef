package io.tributary.bench;

import io.tributary.bench.LatencyRecorder.LatencySummary;

import io.tributary.bench.ResultFormat.Json;

import java.util.List;
import java.util.Locale;

import static io.tributary.bench.ResultFormat.failureLines;
import static io.tributary.bench.ResultFormat.latencyLine;
import static io.tributary.bench.ResultFormat.ms;
import static io.tributary.bench.ResultFormat.num;
import static io.tributary.bench.ResultFormat.rateText;

/**
 * Outcome of one end-to-end run and its two renderings (text, one flat JSON object). Rates are per
 * measured second; loss, duplicates and order are over every message sent (warm-up included), per
 * (publisher, subscriber) pair, after the drain. {@code subAck}: SUBSCRIBE to SUBACK per subscriber.
 * When the clients were spread over several ports ({@link ClientPorts}), {@code subscriberShares}
 * says what the subscribers of each received (one per subscriber port, in the order given), and
 * both renderings say so; with one port they are as they always were, plus the SUBACK fields in
 * the JSON.
 */
record E2eResult(
        E2eConfig config,
        String transport,
        int subscribersReady,
        int publishersReady,
        int grantedQos,
        double measuredSeconds,
        long published,
        long sentTotal,
        long deliveredInWindow,
        double drainSeconds,
        DeliveryTracker.Totals totals,
        LatencySummary latency,
        long publisherErrors,
        long publisherDisconnects,
        long subscriberErrors,
        long subscriberDisconnects,
        List<String> failures,
        LatencySummary subAck,
        List<PortShare> subscriberShares) implements OutputOptions.Report {

    /**
     * The subscribers on one port (one node), the messages they received (warm-up included) and the end-to-end
     * latency of the measured ones.
     */
    record PortShare(int port, int subscribers, long delivered, long duplicates, LatencySummary latency) {
    }

    E2eResult {
        failures = List.copyOf(failures);
        subscriberShares = List.copyOf(subscriberShares);
    }

    /** Everything on one port, reported without the per-port fields. */
    E2eResult(E2eConfig config, String transport, int subscribersReady, int publishersReady, int grantedQos,
              double measuredSeconds, long published, long sentTotal, long deliveredInWindow, double drainSeconds,
              DeliveryTracker.Totals totals, LatencySummary latency, long publisherErrors,
              long publisherDisconnects, long subscriberErrors, long subscriberDisconnects, List<String> failures) {
        this(config, transport, subscribersReady, publishersReady, grantedQos, measuredSeconds, published, sentTotal,
                deliveredInWindow, drainSeconds, totals, latency, publisherErrors, publisherDisconnects,
                subscriberErrors, subscriberDisconnects, failures, LatencySummary.EMPTY, List.of());
    }

    double publishedPerSecond() {
        return measuredSeconds > 0 ? published / measuredSeconds : 0;
    }

    double deliveredPerSecond() {
        return measuredSeconds > 0 ? deliveredInWindow / measuredSeconds : 0;
    }

    int qos() {
        return config.clients().qos().value();
    }

    /**
     * Everything connected and subscribed, no errors or lost connections, nothing unexpected
     * received; at QoS 1/2 nothing lost, at QoS 2 nothing duplicated. QoS 0 may lose messages and
     * QoS 1 may duplicate them (MQTT allows both), so those are reported but not held against the run.
     */
    @Override
    public boolean clean() {
        return failures.isEmpty() && publisherErrors == 0 && publisherDisconnects == 0 && subscriberErrors == 0
                && subscriberDisconnects == 0 && totals.unexpected() == 0
                && (qos() == 0 || totals.lost() == 0) && (qos() < 2 || totals.duplicates() == 0);
    }

    @Override
    public String toJson() {
        StringBuilder b = new StringBuilder(1024).append('{');
        Json j = new Json(b);
        BenchConfig c = config.clients();
        boolean ran = failures.isEmpty();
        boolean lat = ran && latency.count() > 0;
        j.field("tool", "E2eBench");
        j.field("scenario", config.scenario().label());
        j.field("n", config.n());
        j.field("publishers", config.publishers());
        j.field("subscribers", config.subscribers());
        j.field("publishers_ready", publishersReady);
        j.field("subscribers_ready", subscribersReady);
        j.field("host", c.host());
        j.field("port", c.port());
        j.field("protocol", c.protocolName());
        j.field("qos", qos());
        j.field("granted_qos", grantedQos >= 0 ? grantedQos : null);
        j.field("payload_bytes", c.payloadBytes());
        j.field("warmup_s", c.warmup().toMillis() / 1000.0);
        j.field("duration_s", c.duration().toMillis() / 1000.0);
        j.field("measured_s", measuredSeconds);
        j.field("rate_per_publisher", c.ratePerPublisher());
        j.field("transport", transport);
        j.field("published", ran ? published : null);
        j.field("published_per_s", ran ? publishedPerSecond() : null);
        j.field("delivered_in_window", ran ? deliveredInWindow : null);
        j.field("delivered_per_s", ran ? deliveredPerSecond() : null);
        j.field("sent_total", ran ? sentTotal : null);
        j.field("expected_deliveries", ran ? totals.expected() : null);
        j.field("received", ran ? totals.received() : null);
        j.field("lost", ran ? totals.lost() : null);
        j.field("duplicates", ran ? totals.duplicates() : null);
        j.field("out_of_order", ran ? totals.outOfOrder() : null);
        j.field("unexpected", ran ? totals.unexpected() : null);
        j.field("pairs", ran ? totals.pairs() : null);
        j.field("pairs_with_loss", ran ? totals.pairsWithLoss() : null);
        j.field("pairs_with_duplicates", ran ? totals.pairsWithDuplicates() : null);
        j.field("pairs_out_of_order", ran ? totals.pairsOutOfOrder() : null);
        j.field("drain_s", ran ? drainSeconds : null);
        j.field("latency_count", ran ? latency.count() : null);
        j.latency(latency, lat);
        j.field("errors", publisherErrors + subscriberErrors);
        j.field("disconnects", publisherDisconnects + subscriberDisconnects);
        j.field("publisher_errors", publisherErrors);
        j.field("subscriber_errors", subscriberErrors);
        j.field("publisher_disconnects", publisherDisconnects);
        j.field("subscriber_disconnects", subscriberDisconnects);
        j.field("connect_failures", failures.size());
        j.field("connect_failure", failures.isEmpty() ? null : failures.get(0));
        j.field("clean", clean());
        j.field("suback_p50_us", subAck.count() > 0 ? subAck.p50Micros() : null);
        j.field("suback_max_us", subAck.count() > 0 ? subAck.maxMicros() : null);
        ClientPorts ports = config.ports();
        if (!ports.isSingle()) {
            j.field("pub_ports", ClientPorts.text(ports.publisherPorts()));
            j.field("sub_ports", ClientPorts.text(ports.subscriberPorts()));
            int[] publishers = ClientPorts.spread(config.publishers(), ports.publisherPorts().size());
            for (int k = 0; k < publishers.length; k++) {
                j.field("pub_port_" + (k + 1), ports.publisherPorts().get(k));
                j.field("pub_port_" + (k + 1) + "_publishers", publishers[k]);
            }
            int[] subscribers = ClientPorts.spread(config.subscribers(), ports.subscriberPorts().size());
            for (int k = 0; k < subscribers.length; k++) {
                PortShare share = ran && k < subscriberShares.size() ? subscriberShares.get(k) : null;
                String key = "sub_port_" + (k + 1);
                j.field(key, ports.subscriberPorts().get(k));
                j.field(key + "_subscribers", subscribers[k]);
                j.field(key + "_delivered", share == null ? null : share.delivered());
                j.field(key + "_duplicates", share == null ? null : share.duplicates());
                boolean portLat = share != null && share.latency().count() > 0;
                j.field(key + "_latency_p50_us", portLat ? share.latency().p50Micros() : null);
                j.field(key + "_latency_p99_us", portLat ? share.latency().p99Micros() : null);
            }
        }
        return b.append('}').toString();
    }

    @Override
    public String toText() {
        BenchConfig c = config.clients();
        StringBuilder b = new StringBuilder(1024);
        b.append(String.format(Locale.ROOT,
                "E2eBench: %s, %d publisher%s -> %d subscriber%s, MQTT %s, QoS %d, %d-byte payload, %s s measured "
                        + "(+%s s warm-up), rate %s, %s%n",
                config.scenario().label(), config.publishers(), config.publishers() == 1 ? "" : "s",
                config.subscribers(), config.subscribers() == 1 ? "" : "s", c.protocolName(), qos(),
                c.payloadBytes(), num(measuredSeconds, 1), num(c.warmup().toMillis() / 1000.0, 0), rateText(c.ratePerPublisher()),
                transport));
        b.append(String.format(Locale.ROOT, "  ready           %d of %d subscribers, %d of %d publishers%n",
                subscribersReady, config.subscribers(), publishersReady, config.publishers()));
        if (!config.ports().isSingle()) {
            portLines(b);
        }
        if (!failures.isEmpty()) {
            failureLines(b, failures, "  FAILED          ", "failures");
            return b.toString();
        }
        b.append(String.format(Locale.ROOT, "  published       %,d msgs  %,.0f msg/s%n", published, publishedPerSecond()));
        b.append(String.format(Locale.ROOT, "  delivered       %,d msgs  %,.0f msg/s (first arrivals in the measured window; "
                + "%d per message)%n", deliveredInWindow, deliveredPerSecond(), config.scenario().deliveriesPerMessage(config.n())));
        latencyLine(b, "  e2e latency     ", latency);
        b.append(String.format(Locale.ROOT, "  expected        %,d deliveries (%,d messages sent since warm-up began, %d pair%s), "
                        + "received %,d, drain %.1f s%n", totals.expected(), sentTotal, totals.pairs(),
                totals.pairs() == 1 ? "" : "s", totals.received(), drainSeconds));
        b.append(String.format(Locale.ROOT, "  lost            %,d (%d pair%s)%s%n", totals.lost(), totals.pairsWithLoss(),
                totals.pairsWithLoss() == 1 ? "" : "s",
                qos() == 0 && totals.lost() > 0 ? "  allowed at QoS 0" : ""));
        b.append(String.format(Locale.ROOT, "  duplicates      %,d (%d pair%s)%s%n", totals.duplicates(),
                totals.pairsWithDuplicates(), totals.pairsWithDuplicates() == 1 ? "" : "s",
                qos() == 1 && totals.duplicates() > 0 ? "  allowed at QoS 1" : ""));
        b.append(String.format(Locale.ROOT, "  out of order    %,d (%d pair%s)%n", totals.outOfOrder(),
                totals.pairsOutOfOrder(), totals.pairsOutOfOrder() == 1 ? "" : "s"));
        if (totals.unexpected() > 0) {
            b.append(String.format(Locale.ROOT, "  unexpected      %,d messages from publishers a subscriber should not hear "
                    + "from, or not ours%n", totals.unexpected()));
        }
        b.append(String.format(Locale.ROOT, "  errors          %d publisher, %d subscriber; disconnects %d publisher, %d subscriber%n",
                publisherErrors, subscriberErrors, publisherDisconnects, subscriberDisconnects));
        return b.toString();
    }

    /** Where the clients went and, once the run is over, what each subscriber port received. */
    private void portLines(StringBuilder b) {
        ClientPorts ports = config.ports();
        int[] publishers = ClientPorts.spread(config.publishers(), ports.publisherPorts().size());
        StringBuilder pub = new StringBuilder();
        for (int k = 0; k < publishers.length; k++) {
            pub.append(k == 0 ? "" : ", ").append(ports.publisherPorts().get(k)).append(" (").append(publishers[k]).append(')');
        }
        b.append("  publishers on   ").append(pub).append(System.lineSeparator());
        int[] subscribers = ClientPorts.spread(config.subscribers(), ports.subscriberPorts().size());
        StringBuilder sub = new StringBuilder();
        for (int k = 0; k < subscribers.length; k++) {
            sub.append(k == 0 ? "" : ", ").append(ports.subscriberPorts().get(k)).append(" (").append(subscribers[k]);
            if (failures.isEmpty() && k < subscriberShares.size()) {
                PortShare share = subscriberShares.get(k);
                sub.append(String.format(Locale.ROOT, ": %,d received", share.delivered()));
                if (share.latency().count() > 0) {
                    sub.append(String.format(Locale.ROOT, ", p50 %s p99 %s ms", ms(share.latency().p50Micros()),
                            ms(share.latency().p99Micros())));
                }
            }
            sub.append(')');
        }
        b.append("  subscribers on  ").append(sub).append(System.lineSeparator());
        if (subAck.count() > 0) {
            b.append(String.format(Locale.ROOT, "  SUBACK after    p50 %s  max %s ms%n", ms(subAck.p50Micros()),
                    ms(subAck.maxMicros())));
        }
    }

    /** Collects the parts of a result as the run goes. */
    static final class Builder {
        private final E2eConfig config;
        private final String transport;
        private int subscribersReady;
        private int publishersReady;
        private int grantedQos = -1;
        private double measuredSeconds;
        private double drainSeconds;
        private DeliveryTracker.Totals totals = DeliveryTracker.Totals.ZERO;
        private LatencySummary latency = LatencySummary.EMPTY;
        private List<String> failures = List.of();
        private LatencySummary subAck = LatencySummary.EMPTY;
        private List<PortShare> subscriberShares = List.of();

        Builder(E2eConfig config, String transport) {
            this.config = config;
            this.transport = transport;
        }

        Builder subscribersReady(int n) {
            subscribersReady = n;
            return this;
        }

        Builder publishersReady(int n) {
            publishersReady = n;
            return this;
        }

        Builder grantedQos(int qos) {
            grantedQos = qos;
            return this;
        }

        Builder measuredSeconds(double s) {
            measuredSeconds = s;
            return this;
        }

        Builder drainSeconds(double s) {
            drainSeconds = s;
            return this;
        }

        Builder totals(DeliveryTracker.Totals t) {
            totals = t;
            return this;
        }

        Builder latency(LatencySummary l) {
            latency = l;
            return this;
        }

        Builder failures(List<String> f) {
            failures = f;
            return this;
        }

        Builder subAck(LatencySummary l) {
            subAck = l;
            return this;
        }

        Builder subscriberShares(List<PortShare> shares) {
            subscriberShares = shares;
            return this;
        }

        E2eResult build(E2eStats stats) {
            return new E2eResult(config, transport, subscribersReady, publishersReady, grantedQos, measuredSeconds,
                    stats.publishers.published(), stats.publishers.sentTotal(), stats.deliveredInWindow.sum(),
                    drainSeconds, totals, latency, stats.publishers.errors(), stats.publishers.disconnects(),
                    stats.subscribers.errors(), stats.subscribers.disconnects(), failures, subAck, subscriberShares);
        }
    }
}
