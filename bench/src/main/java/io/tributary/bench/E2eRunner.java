package io.tributary.bench;

import io.tributary.bench.LatencyRecorder.LatencySummary;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.tributary.bench.ResultFormat.ms;

/**
 * Drives an end-to-end run: subscribers connect and SUBSCRIBE first, then publishers connect; then
 * warm-up, measured window, and a drain that ends when every expected delivery arrived or the
 * drain timeout passed; then the per-pair accounting is collected from the subscribers.
 */
final class E2eRunner {

    private static final long COLLECT_TIMEOUT_SECONDS = 10;

    private final E2eConfig config;
    private final BenchConfig clients;
    private final ClientPorts ports;
    private final MeasuredWindow measuredWindow;
    private final E2eStats stats = new E2eStats();
    private final LatencyRecorder latency = new LatencyRecorder();
    private final LatencyRecorder ackLatency = new LatencyRecorder();
    private final LatencyRecorder[] portLatency; // per subscriber port when there are several, else null

    E2eRunner(E2eConfig config, PrintStream progress) {
        this.config = config;
        this.clients = config.clients();
        this.ports = config.ports();
        if (ports.isSingle()) {
            this.portLatency = null;
        } else {
            this.portLatency = new LatencyRecorder[ports.subscriberPorts().size()];
            Arrays.setAll(portLatency, k -> new LatencyRecorder());
        }
        this.measuredWindow = new MeasuredWindow(progress);
    }

    E2eResult run() throws InterruptedException, ExecutionException, TimeoutException {
        SequencedPayload payload = new SequencedPayload(clients.payloadBytes());
        List<SubscriberHandler> subscribers = new ArrayList<>();
        List<PublisherHandler> publishers = new ArrayList<>();
        try (ClientGroup group = new ClientGroup(clients)) {
            E2eResult.Builder result = new E2eResult.Builder(config, group.transport());
            for (int i = 0; i < config.subscribers(); i++) {
                SubscriberHandler s = new SubscriberHandler(i, config.subscriberClientId(i), config.filter(i), clients,
                        stats, new DeliveryTracker(config.scenario(), i, config.publishers()), latency,
                        portLatency == null ? null : portLatency[ports.subscriberSlot(i)], System::nanoTime);
                subscribers.add(s);
                group.connect(s, ports.subscriberPort(i));
            }
            List<String> failures = group.awaitReady(subscribers);
            result.subscribersReady(ClientGroup.countReady(subscribers));
            if (!failures.isEmpty()) {
                return result.failures(failures).build(stats);
            }
            int granted = subscribers.stream().mapToInt(SubscriberHandler::grantedQos).min().orElse(-1);
            result.grantedQos(granted);
            result.subAck(subAckTimes(subscribers));
            measuredWindow.line(String.format(Locale.ROOT, "subscribed %d subscriber%s (%s, granted QoS %d)%s",
                    subscribers.size(), subscribers.size() == 1 ? "" : "s", describeFilters(subscribers), granted,
                    ports.isSingle() ? "" : " on ports " + ClientPorts.text(ports.subscriberPorts())));

            for (int i = 0; i < config.publishers(); i++) {
                PublisherHandler p = new PublisherHandler(i, clients, stats.publishers, ackLatency, payload::encode,
                        System::nanoTime);
                publishers.add(p);
                group.connect(p, ports.publisherPort(i));
            }
            failures = group.awaitReady(publishers);
            result.publishersReady(ClientGroup.countReady(publishers));
            if (!failures.isEmpty()) {
                return result.failures(failures).build(stats);
            }
            measuredWindow.line(String.format(Locale.ROOT, "connected %d publisher%s to %s:%s (MQTT %s, QoS %d, %s, %s)",
                    publishers.size(), publishers.size() == 1 ? "" : "s", clients.host(),
                    ClientPorts.text(ports.isSingle() ? List.of(clients.port()) : ports.publisherPorts()),
                    clients.protocolName(), clients.qos().value(), group.transport(), rateText()));

            double measuredSeconds = publish(publishers, subscribers);
            result.measuredSeconds(measuredSeconds);

            long[] sent = new long[publishers.size()];
            for (int p = 0; p < sent.length; p++) {
                PublisherHandler h = publishers.get(p);
                sent[p] = onLoop(h, h::sent);
            }
            long expected = expectedDeliveries(sent);
            long drainStart = System.nanoTime();
            long drainDeadline = drainStart + clients.drainTimeout().toNanos();
            while (stats.delivered.sum() < expected && System.nanoTime() < drainDeadline
                    && !ClientGroup.allClosed(subscribers)) {
                Thread.sleep(10);
            }
            double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
            long missing = expected - stats.delivered.sum();
            measuredWindow.line(missing <= 0
                    ? String.format(Locale.ROOT, "drained: all %,d expected deliveries arrived (%.1f s after publishing stopped)",
                            expected, drainSeconds)
                    : String.format(Locale.ROOT, "drain ended after %.1f s with %,d of %,d expected deliveries missing",
                            drainSeconds, missing, expected));
            result.drainSeconds(drainSeconds);

            DeliveryTracker.Totals totals = DeliveryTracker.Totals.ZERO;
            DeliveryTracker.Totals[] bySlot = new DeliveryTracker.Totals[ports.subscriberPorts().size()];
            Arrays.fill(bySlot, DeliveryTracker.Totals.ZERO);
            for (int i = 0; i < subscribers.size(); i++) {
                SubscriberHandler s = subscribers.get(i);
                DeliveryTracker.Totals t = onLoop(s, () -> s.tracker().totals(sent));
                totals = totals.plus(t);
                bySlot[ports.subscriberSlot(i)] = bySlot[ports.subscriberSlot(i)].plus(t);
            }
            stats.phase(BenchStats.Phase.DONE);
            return result.totals(totals).latency(latency.measuredSummary()).subscriberShares(shares(bySlot))
                    .build(stats);
        }
    }

    /** Warm-up and measured window; returns the measured seconds (0 if it never started). */
    private double publish(List<PublisherHandler> publishers, List<SubscriberHandler> subscribers)
            throws InterruptedException {
        return measuredWindow.run(clients.warmup(), clients.duration(), publishers, new MeasuredWindow.Run() {
            private long lastSent;
            private long lastDelivered;

            @Override
            public void phase(BenchStats.Phase phase, long nanos) {
                if (phase == BenchStats.Phase.MEASURE) {
                    stats.measureStarted(nanos);
                } else if (phase == BenchStats.Phase.DRAIN) {
                    stats.measureEnded(nanos);
                }
                stats.phase(phase);
            }

            @Override
            public String lost() {
                if (ClientGroup.allClosed(publishers) || ClientGroup.allClosed(subscribers)) {
                    return "all " + (ClientGroup.allClosed(publishers) ? "publisher" : "subscriber")
                            + " connections lost; stopping";
                }
                return null;
            }

            @Override
            public String interval(double seconds) {
                long sent = stats.publishers.sentTotal();
                long delivered = stats.delivered.sum();
                LatencySummary l = latency.takeInterval();
                String figures = String.format(Locale.ROOT, "pub %,9.0f/s  delivered %,9.0f/s  e2e p50 %s p99 %s ms",
                        (sent - lastSent) / seconds, (delivered - lastDelivered) / seconds,
                        l.count() > 0 ? ms(l.p50Micros()) : "-", l.count() > 0 ? ms(l.p99Micros()) : "-");
                lastSent = sent;
                lastDelivered = delivered;
                return figures;
            }
        });
    }

    /** SUBSCRIBE to SUBACK of every subscriber (all subscribed at once). */
    private static LatencySummary subAckTimes(List<SubscriberHandler> subscribers)
            throws InterruptedException, ExecutionException, TimeoutException {
        LatencyRecorder times = new LatencyRecorder();
        for (SubscriberHandler s : subscribers) {
            long nanos = onLoop(s, s::subAckNanos);
            if (nanos >= 0) {
                times.record(nanos, true);
            }
        }
        return times.measuredSummary();
    }

    private List<E2eResult.PortShare> shares(DeliveryTracker.Totals[] bySlot) {
        int[] counts = ClientPorts.spread(config.subscribers(), bySlot.length);
        List<E2eResult.PortShare> shares = new ArrayList<>(bySlot.length);
        for (int k = 0; k < bySlot.length; k++) {
            shares.add(new E2eResult.PortShare(ports.subscriberPorts().get(k), counts[k], bySlot[k].received(),
                    bySlot[k].duplicates(), portLatency == null ? LatencySummary.EMPTY : portLatency[k].measuredSummary()));
        }
        return shares;
    }

    private long expectedDeliveries(long[] sent) {
        long expected = 0;
        for (int s = 0; s < config.subscribers(); s++) {
            for (int p = 0; p < sent.length; p++) {
                if (config.scenario().expects(s, p)) {
                    expected += sent[p];
                }
            }
        }
        return expected;
    }

    /** Reads a connection's event-loop-confined state on its event loop. */
    private static <T> T onLoop(MqttClientHandler h, java.util.function.Supplier<T> read)
            throws InterruptedException, ExecutionException, TimeoutException {
        return CompletableFuture.supplyAsync(read, h.executor()).get(COLLECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static String describeFilters(List<SubscriberHandler> subscribers) {
        String first = subscribers.get(0).filter();
        if (subscribers.size() == 1) {
            return first;
        }
        String last = subscribers.get(subscribers.size() - 1).filter();
        return first.equals(last) ? "all on " + first : first + " .. " + last;
    }

    private String rateText() {
        double r = clients.ratePerPublisher();
        return r > 0 ? String.format(Locale.ROOT, "%,.0f msg/s per publisher, %,.0f in total", r, r * config.publishers())
                : "unlimited rate";
    }
}
