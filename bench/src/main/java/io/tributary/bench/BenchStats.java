package io.tributary.bench;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters shared by all publisher connections, and the current phase of the run. Only messages
 * written during {@link Phase#MEASURE} count as published; their acknowledgements count as
 * acknowledged whenever they arrive (also while draining).
 */
public final class BenchStats {

    public enum Phase { CONNECTING, WARMUP, MEASURE, DRAIN, DONE }

    private volatile Phase phase = Phase.CONNECTING;

    /** Measured messages written. */
    final LongAdder published = new LongAdder();
    /** Acknowledgements of measured messages (window + drain). */
    final LongAdder acked = new LongAdder();
    /** Acknowledgements of any message received while measuring: the steady-state ack rate. */
    final LongAdder ackedInWindow = new LongAdder();
    /** All messages written and acknowledged, any phase: for the per-second lines. */
    final LongAdder sentTotal = new LongAdder();
    final LongAdder ackedTotal = new LongAdder();
    /** Negative acknowledgements (MQTT 5 reason code >= 0x80), unknown packet ids, decode failures. */
    final LongAdder errors = new LongAdder();
    /** Connections lost after CONNACK that we did not close ourselves. */
    final LongAdder disconnects = new LongAdder();

    public Phase phase() {
        return phase;
    }

    public void phase(Phase next) {
        this.phase = next;
    }

    public boolean publishing() {
        Phase p = phase;
        return p == Phase.WARMUP || p == Phase.MEASURE;
    }

    public long published() {
        return published.sum();
    }

    public long acked() {
        return acked.sum();
    }

    public long ackedInWindow() {
        return ackedInWindow.sum();
    }

    public long sentTotal() {
        return sentTotal.sum();
    }

    public long ackedTotal() {
        return ackedTotal.sum();
    }

    public long errors() {
        return errors.sum();
    }

    public long disconnects() {
        return disconnects.sum();
    }
}
