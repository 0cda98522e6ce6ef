package io.tributary.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;

/**
 * Acknowledgement latency (write of PUBLISH to PUBACK/PUBCOMP), in nanoseconds. Safe to record
 * from several event loops. Keeps two views: every acknowledgement for the per-second progress
 * lines, and only the measured messages (sent after warm-up) for the final report.
 */
public final class LatencyRecorder {

    static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int SIGNIFICANT_DIGITS = 3;

    private final Recorder interval = new Recorder(HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    private final Recorder measured = new Recorder(HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    private Histogram intervalRecycle;

    public void record(long latencyNanos, boolean measuredMessage) {
        // a clock step or a late ack beyond 10 minutes must not throw on an event loop
        long value = Math.max(0, Math.min(latencyNanos, HIGHEST_TRACKABLE_NANOS));
        interval.recordValue(value);
        if (measuredMessage) {
            measured.recordValue(value);
        }
    }

    /** Latencies recorded since the previous call (all acknowledgements). Call from one thread only. */
    public synchronized LatencySummary takeInterval() {
        intervalRecycle = interval.getIntervalHistogram(intervalRecycle);
        return LatencySummary.of(intervalRecycle);
    }

    /** Latencies of measured messages since the start. Call once, at the end. */
    public LatencySummary measuredSummary() {
        return LatencySummary.of(measured.getIntervalHistogram());
    }

    /** Percentiles in microseconds (count 0 means nothing was recorded). */
    public record LatencySummary(long count, double p50Micros, double p90Micros, double p99Micros,
                                 double p999Micros, double maxMicros, double meanMicros) {

        static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0);

        static LatencySummary of(Histogram h) {
            if (h.getTotalCount() == 0) {
                return EMPTY;
            }
            return new LatencySummary(h.getTotalCount(),
                    micros(h.getValueAtPercentile(50)),
                    micros(h.getValueAtPercentile(90)),
                    micros(h.getValueAtPercentile(99)),
                    micros(h.getValueAtPercentile(99.9)),
                    micros(h.getMaxValue()),
                    h.getMean() / 1000.0);
        }

        private static double micros(long nanos) {
            return nanos / 1000.0;
        }
    }
}
