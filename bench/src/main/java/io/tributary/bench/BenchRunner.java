package io.tributary.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tributary.bench.LatencyRecorder.LatencySummary;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Connects the publishers, drives the phases (warm-up, measure, drain) and collects the result. */
final class BenchRunner {

    private final BenchConfig config;
    private final PrintStream progress; // null: no per-second lines
    private final BenchStats stats = new BenchStats();
    private final LatencyRecorder latency = new LatencyRecorder();

    BenchRunner(BenchConfig config, PrintStream progress) {
        this.config = config;
        this.progress = progress;
    }

    BenchResult run() throws InterruptedException {
        ByteBuf payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(config.payloadBytes())
                .writeBytes(payloadBytes(config.payloadBytes())));
        List<PublisherHandler> handlers = new ArrayList<>(config.publishers());
        try (ClientGroup clients = new ClientGroup(config)) {
            String transport = clients.transport();
            for (int i = 0; i < config.publishers(); i++) {
                PublisherHandler handler = new PublisherHandler(i, config, stats, latency, payload, System::nanoTime);
                handlers.add(handler);
                clients.connect(handler);
            }

            List<String> failures = clients.awaitReady(handlers);
            if (!failures.isEmpty()) {
                return result(transport, handlers, failures, 0, LatencySummary.EMPTY);
            }
            int window = handlers.stream().mapToInt(PublisherHandler::window).min().orElse(0);
            line(String.format(Locale.ROOT, "connected %d publishers to %s:%d (MQTT %s, %s, %d event loop%s%s)",
                    handlers.size(), config.host(), config.port(), config.protocolName(), transport, config.threads(),
                    config.threads() == 1 ? "" : "s",
                    config.acknowledged() ? ", window " + window : ""));

            stats.phase(config.warmup().isZero() ? BenchStats.Phase.MEASURE : BenchStats.Phase.WARMUP);
            for (PublisherHandler h : handlers) {
                h.ctxExecute(h::start);
            }
            long runStart = System.nanoTime();
            long measureStart = runStart + config.warmup().toNanos();
            long measureEnd = measureStart + config.duration().toNanos();
            long measureStartActual = stats.phase() == BenchStats.Phase.MEASURE ? runStart : 0;
            Ticker ticker = new Ticker(runStart);
            while (true) {
                long now = System.nanoTime();
                if (measureStartActual == 0 && now >= measureStart) {
                    stats.phase(BenchStats.Phase.MEASURE);
                    measureStartActual = now;
                }
                if (now >= measureEnd) {
                    break;
                }
                if (ClientGroup.allClosed(handlers)) {
                    line("all connections lost; stopping");
                    break;
                }
                ticker.sleepUntilNext(Math.min(measureEnd, measureStartActual == 0 ? measureStart : measureEnd));
                ticker.maybePrint();
            }
            stats.phase(BenchStats.Phase.DRAIN);
            long measureEndActual = System.nanoTime();
            double measuredSeconds = measureStartActual == 0 ? 0 : (measureEndActual - measureStartActual) / 1e9;

            if (config.acknowledged()) {
                long drainDeadline = System.nanoTime() + config.drainTimeout().toNanos();
                while (stats.acked() < stats.published() && System.nanoTime() < drainDeadline && !ClientGroup.allClosed(handlers)) {
                    Thread.sleep(10);
                }
                long missing = stats.published() - stats.acked();
                line(missing == 0 ? "drained: every measured message acknowledged"
                        : String.format(Locale.ROOT, "drain ended with %,d measured messages unacknowledged", missing));
            }
            stats.phase(BenchStats.Phase.DONE);
            LatencySummary summary = latency.measuredSummary();
            return result(transport, handlers, List.of(), measuredSeconds, summary);
        }
    }

    private BenchResult result(String transport, List<PublisherHandler> handlers, List<String> failures,
                               double measuredSeconds, LatencySummary summary) {
        int connected = ClientGroup.countReady(handlers);
        int window = config.acknowledged() ? handlers.stream().mapToInt(PublisherHandler::window).min().orElse(0) : 0;
        return new BenchResult(config, transport, connected, window, measuredSeconds,
                stats.published(), stats.acked(), stats.ackedInWindow(), stats.errors(), stats.disconnects(),
                failures, summary);
    }

    /** Not all-zero so that compression somewhere on the path cannot flatter the figures. */
    static byte[] payloadBytes(int size) {
        byte[] bytes = new byte[size];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < size; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            bytes[i] = (byte) x;
        }
        return bytes;
    }

    private void line(String text) {
        if (progress != null) {
            progress.println(text);
            progress.flush();
        }
    }

    /** Prints one line per second with the interval's rates and latency. */
    private final class Ticker {
        private final long start;
        private long next;
        private long lastNanos;
        private long lastSent;
        private long lastAcked;

        Ticker(long start) {
            this.start = start;
            this.next = start + TimeUnit.SECONDS.toNanos(1);
            this.lastNanos = start;
        }

        void sleepUntilNext(long limit) throws InterruptedException {
            long wake = Math.min(next, limit);
            long nanos = wake - System.nanoTime();
            if (nanos > 0) {
                TimeUnit.NANOSECONDS.sleep(nanos);
            }
        }

        void maybePrint() {
            long now = System.nanoTime();
            if (now < next) {
                return;
            }
            next += TimeUnit.SECONDS.toNanos(1);
            double seconds = (now - lastNanos) / 1e9;
            long sent = stats.sentTotal();
            long acked = stats.ackedTotal();
            LatencySummary l = latency.takeInterval();
            if (progress != null) {
                String phase = stats.phase() == BenchStats.Phase.WARMUP ? "warm-up" : "measure";
                StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "[%4.0fs %-7s] pub %,10.0f/s",
                        (now - start) / 1e9, phase, (sent - lastSent) / seconds));
                if (config.acknowledged()) {
                    b.append(String.format(Locale.ROOT, "  ack %,10.0f/s  p50 %s ms  p99 %s ms  in flight %,d",
                            (acked - lastAcked) / seconds, BenchResult.ms(l.p50Micros()),
                            BenchResult.ms(l.p99Micros()), sent - acked));
                }
                progress.println(b);
                progress.flush();
            }
            lastNanos = now;
            lastSent = sent;
            lastAcked = acked;
        }
    }
}
