package io.tributary.bench;

import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Drives a {@link RetainedBench} run: store (the publishers connect, publish the set once and
 * disconnect), settle, then per filter a fresh subscriber that subscribes and receives until the
 * whole expected set arrived, nothing arrived for the idle timeout, or the receive timeout passed.
 */
final class RetainedRunner {

    private static final long COLLECT_TIMEOUT_SECONDS = 10;

    private final RetainedConfig config;
    private final RetainedTopics topics;
    private final PrintStream progress; // null: no progress lines
    private final BenchStats publisherStats = new BenchStats();
    private final List<E2eStats> subscriberStats = new ArrayList<>();

    RetainedRunner(RetainedConfig config, PrintStream progress) {
        this.config = config;
        this.topics = config.topics();
        this.progress = progress;
    }

    RetainedResult run() throws InterruptedException, ExecutionException, TimeoutException {
        BenchConfig clients = config.publishers();
        SequencedPayload payload = new SequencedPayload(clients.payloadBytes());
        List<RetainedPublisherHandler> publishers = new ArrayList<>();
        try (ClientGroup group = new ClientGroup(clients)) {
            for (int i = 0; i < clients.publishers(); i++) {
                RetainedPublisherHandler p = new RetainedPublisherHandler(i, topics.rangeStart(i, clients.publishers()),
                        topics.rangeStart(i + 1, clients.publishers()), topics, payload, clients, publisherStats,
                        System::nanoTime);
                publishers.add(p);
                group.connect(p);
            }
            List<String> failures = group.awaitReady(publishers);
            int ready = ClientGroup.countReady(publishers);
            int window = clients.acknowledged()
                    ? publishers.stream().mapToInt(RetainedPublisherHandler::window).min().orElse(0) : 0;
            if (!failures.isEmpty()) {
                return result(group, ready, window, 0, 0, null, null, failures);
            }
            line(String.format(Locale.ROOT, "connected %d publishers to %s:%d (MQTT %s, QoS %d, %s%s); storing %,d retained messages",
                    publishers.size(), clients.host(), clients.port(), clients.protocolName(), clients.qos().value(),
                    group.transport(), clients.acknowledged() ? ", window " + window : "", topics.count()));

            long start = System.nanoTime();
            long storeEnd = store(publishers, start);
            long stored = 0;
            for (RetainedPublisherHandler p : publishers) {
                stored += onLoop(p, p::acknowledged);
                p.ctxExecute(p::close);
            }
            double storeSeconds = (storeEnd - start) / 1e9;
            line(String.format(Locale.ROOT, "stored: %,d of %,d %s in %.3f s (%,.0f msg/s)", stored, topics.count(),
                    clients.acknowledged() ? "acknowledged" : "written", storeSeconds,
                    storeSeconds > 0 ? stored / storeSeconds : 0));

            if (!config.settle().isZero()) {
                line(String.format(Locale.ROOT, "settling %.1f s", config.settle().toMillis() / 1000.0));
                Thread.sleep(config.settle().toMillis());
            }

            List<String> subscribeFailures = new ArrayList<>();
            EventExecutor loop = publishers.get(0).executor(); // the group's one event loop
            RetainedResult.Received all = receive(group, loop, 0, "all", topics.allFilter(), topics.count(),
                    new DeliveryTracker(Scenario.FAN_IN, 0, topics.buckets()), subscribeFailures);
            RetainedResult.Received narrow = null;
            if (config.narrow() && all != null) {
                // "p2p" pairs subscriber k with publisher k only: here the narrow subscriber with bucket k
                int k = config.narrowBucket();
                narrow = receive(group, loop, 1, "narrow", topics.bucketFilter(k), topics.bucketSizes()[k],
                        new DeliveryTracker(Scenario.P2P, k, topics.buckets()), subscribeFailures);
            }
            return result(group, ready, window, stored, storeSeconds, all, narrow, subscribeFailures);
        }
    }

    /** Starts the publishers and waits until each settled all its messages, lost its connection, or the time is up. */
    private long store(List<RetainedPublisherHandler> publishers, long start) throws InterruptedException {
        long deadline = start + config.storeTimeout().toNanos();
        List<CompletableFuture<Long>> done = publishers.stream().map(RetainedPublisherHandler::stored).toList();
        CompletableFuture<Void> settled = CompletableFuture.allOf(done.stream()
                .map(f -> f.handle((nanos, failure) -> null)).toArray(CompletableFuture[]::new));
        publishers.forEach(p -> p.ctxExecute(p::start));
        long lastAcked = 0;
        long lastLine = start;
        while (!settled.isDone()) {
            long now = System.nanoTime();
            if (now >= deadline) {
                line(String.format(Locale.ROOT, "store phase not done after %d s: going on without the rest",
                        config.storeTimeout().toSeconds()));
                break;
            }
            try {
                settled.get(Math.min(deadline - now, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                now = System.nanoTime();
                long acked = publisherStats.ackedTotal();
                line(String.format(Locale.ROOT, "[%4.0fs store  ] acknowledged %,9d of %,d  %,9.0f/s", (now - start) / 1e9,
                        acked, topics.count(), (acked - lastAcked) / ((now - lastLine) / 1e9)));
                lastAcked = acked;
                lastLine = now;
            }
        }
        long end = start;
        for (CompletableFuture<Long> f : done) {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                end = Math.max(end, f.join());
            } else {
                end = Math.max(end, System.nanoTime());
            }
        }
        return end;
    }

    /**
     * A fresh subscriber on {@code filter}, with a probe in front of it; returns what it received, or
     * null (and a line in {@code failures}) if it could not subscribe.
     */
    private RetainedResult.Received receive(ClientGroup group, EventExecutor loop, int index, String what,
                                            String filter, long expected, DeliveryTracker tracker, List<String> failures)
            throws InterruptedException, ExecutionException, TimeoutException {
        E2eStats e2e = new E2eStats();
        subscriberStats.add(e2e);
        SubscriberHandler subscriber = new SubscriberHandler(index, config.subscriberClientId(what), filter,
                config.subscribers(), e2e, tracker, new LatencyRecorder(), System::nanoTime);
        RetainedProbe probe = new RetainedProbe(topics, e2e.delivered, System::nanoTime);
        // connected from the (only) event loop, the channel registers at once and ClientGroup's initializer
        // runs inside connect(): the probe is in place before the channel can read or write anything
        CompletableFuture<Void> probed = CompletableFuture.runAsync(() -> {
            Channel channel = group.connect(subscriber);
            if (!channel.eventLoop().inEventLoop() || channel.pipeline().get(ClientGroup.CLIENT) == null) {
                throw new IllegalStateException("the connection did not register on this event loop at once");
            }
            channel.pipeline().addBefore(ClientGroup.CLIENT, RetainedProbe.NAME, probe);
        }, loop);
        List<String> notReady;
        try {
            probed.get(COLLECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            notReady = group.awaitReady(List.of(subscriber));
        } catch (ExecutionException e) {
            notReady = List.of(subscriber.clientId() + ": cannot watch the connection: " + e.getCause());
        }
        if (notReady.isEmpty() && probe.observed().subscribedNanos() == 0) {
            notReady = List.of(subscriber.clientId() + ": the probe missed the SUBSCRIBE");
        }
        if (!notReady.isEmpty()) {
            failures.addAll(notReady);
            if (subscriber.isOpen()) {
                subscriber.ctxExecute(subscriber::close);
            }
            return null;
        }
        long[] sizes = topics.bucketSizes();
        line(String.format(Locale.ROOT, "subscribed %s (QoS %d granted), expecting %,d retained messages", filter,
                subscriber.grantedQos(), expected));
        awaitArrivals(subscriber, probe, e2e, expected);
        subscriber.ctxExecute(subscriber::close);
        DeliveryTracker.Totals totals = onLoop(subscriber, () -> tracker.totals(sizes));
        RetainedResult.Received received = new RetainedResult.Received(filter, expected, totals, probe.observed());
        line(String.format(Locale.ROOT, "%s: %,d of %,d in %s ms, %,d missing", filter, totals.received(), expected,
                received.lastMs() == null ? "-" : String.format(Locale.ROOT, "%.1f", received.lastMs()), received.missing()));
        return received;
    }

    private void awaitArrivals(SubscriberHandler subscriber, RetainedProbe probe, E2eStats e2e, long expected)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + config.receiveTimeout().toNanos();
        long idle = config.idleTimeout().toNanos();
        long nextLine = start + TimeUnit.SECONDS.toNanos(1);
        long lastCount = 0;
        while (e2e.delivered.sum() < expected && subscriber.isOpen()) {
            long now = System.nanoTime();
            RetainedProbe.Observed o = probe.observed();
            long lastActivity = Math.max(start, o.lastNanos());
            if (now - lastActivity >= idle || now >= deadline) {
                line(String.format(Locale.ROOT, "giving up: %s", now >= deadline
                        ? "receive timeout" : "nothing received for " + config.idleTimeout().toSeconds() + " s"));
                return;
            }
            if (now >= nextLine) {
                long count = e2e.delivered.sum();
                line(String.format(Locale.ROOT, "[%4.0fs receive] %,9d of %,d  %,9.0f/s", (now - start) / 1e9, count,
                        expected, (double) (count - lastCount)));
                lastCount = count;
                nextLine += TimeUnit.SECONDS.toNanos(1);
            }
            Thread.sleep(5);
        }
    }

    private RetainedResult result(ClientGroup group, int ready, int window, long stored, double storeSeconds,
                                  RetainedResult.Received all, RetainedResult.Received narrow, List<String> failures) {
        return new RetainedResult(config, group.transport(), ready, window, stored, storeSeconds, all, narrow,
                publisherStats.errors(), publisherStats.disconnects(),
                subscriberStats.stream().mapToLong(s -> s.subscribers.errors()).sum(),
                subscriberStats.stream().mapToLong(s -> s.subscribers.disconnects()).sum(), failures);
    }

    private void line(String text) {
        if (progress != null) {
            progress.println(text);
            progress.flush();
        }
    }

    /** Reads a connection's event-loop-confined state on its event loop. */
    private static <T> T onLoop(MqttClientHandler h, Supplier<T> read)
            throws InterruptedException, ExecutionException, TimeoutException {
        return CompletableFuture.supplyAsync(read, h.executor()).get(COLLECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
