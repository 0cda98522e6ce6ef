package io.tributary.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tributary.bench.LatencyRecorder.LatencySummary;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.tributary.bench.ResultFormat.ms;

/** Connects the publishers, drives the phases (warm-up, measure, drain) and collects the result. */
final class BenchRunner {

    private final BenchConfig config;
    private final BenchStats stats = new BenchStats();
    private final LatencyRecorder latency = new LatencyRecorder();
    private final MeasuredWindow measuredWindow;

    BenchRunner(BenchConfig config, PrintStream progress) {
        this.config = config;
        this.measuredWindow = new MeasuredWindow(progress);
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
            measuredWindow.line(String.format(Locale.ROOT, "connected %d publishers to %s:%d (MQTT %s, %s, %d event loop%s%s)",
                    handlers.size(), config.host(), config.port(), config.protocolName(), transport, config.threads(),
                    config.threads() == 1 ? "" : "s",
                    config.acknowledged() ? ", window " + window : ""));

            double measuredSeconds = measuredWindow.run(config.warmup(), config.duration(), handlers, new MeasuredWindow.Run() {
                private long lastSent;
                private long lastAcked;

                @Override
                public void phase(BenchStats.Phase phase, long nanos) {
                    stats.phase(phase);
                }

                @Override
                public String lost() {
                    return ClientGroup.allClosed(handlers) ? "all connections lost; stopping" : null;
                }

                @Override
                public String interval(double seconds) {
                    long sent = stats.sentTotal();
                    long acked = stats.ackedTotal();
                    LatencySummary l = latency.takeInterval();
                    String figures = String.format(Locale.ROOT, "pub %,10.0f/s", (sent - lastSent) / seconds);
                    if (config.acknowledged()) {
                        figures += String.format(Locale.ROOT, "  ack %,10.0f/s  p50 %s ms  p99 %s ms  in flight %,d",
                                (acked - lastAcked) / seconds, ms(l.p50Micros()), ms(l.p99Micros()), sent - acked);
                    }
                    lastSent = sent;
                    lastAcked = acked;
                    return figures;
                }
            });

            if (config.acknowledged()) {
                long drainDeadline = System.nanoTime() + config.drainTimeout().toNanos();
                while (stats.acked() < stats.published() && System.nanoTime() < drainDeadline && !ClientGroup.allClosed(handlers)) {
                    Thread.sleep(10);
                }
                long missing = stats.published() - stats.acked();
                measuredWindow.line(missing == 0 ? "drained: every measured message acknowledged"
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
}
