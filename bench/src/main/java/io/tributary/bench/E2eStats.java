package io.tributary.bench;

import java.util.concurrent.atomic.LongAdder;

/**
 * Shared state of an end-to-end run: the publishers' and the subscribers' counters (each a
 * {@link BenchStats}, moved through the phases together), the delivery counters, and the measured
 * window in {@link System#nanoTime()}: a message is measured if it was sent inside it.
 */
final class E2eStats {

    final BenchStats publishers = new BenchStats();
    final BenchStats subscribers = new BenchStats();
    /** First arrivals of expected messages, any phase. */
    final LongAdder delivered = new LongAdder();
    /** First arrivals received while the measured window was open: the steady-state delivery rate. */
    final LongAdder deliveredInWindow = new LongAdder();

    private volatile long measureStartNanos = Long.MAX_VALUE;
    private volatile long measureEndNanos = Long.MAX_VALUE;

    void phase(BenchStats.Phase next) {
        publishers.phase(next);
        subscribers.phase(next);
    }

    BenchStats.Phase phase() {
        return publishers.phase();
    }

    void measureStarted(long nanos) {
        measureStartNanos = nanos;
    }

    void measureEnded(long nanos) {
        measureEndNanos = nanos;
    }

    boolean measured(long sentNanos) {
        return sentNanos >= measureStartNanos && sentNanos < measureEndNanos;
    }
}
