package io.tributary.bench;

/**
 * Constant-rate schedule for one publisher: message {@code n} (0-based) is due at
 * {@code start + n / rate}. Open loop: a publisher held back by its window falls behind the
 * schedule and catches up (as fast as the window allows) once acknowledgements return.
 * A rate of 0 means unlimited: everything is always due.
 */
public final class RatePacer {

    private static final double NANOS_PER_SECOND = 1_000_000_000.0;

    private final double ratePerSecond;
    private final long startNanos;

    public RatePacer(double ratePerSecond, long startNanos) {
        if (ratePerSecond < 0 || !Double.isFinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be >= 0: " + ratePerSecond);
        }
        this.ratePerSecond = ratePerSecond;
        this.startNanos = startNanos;
    }

    public boolean unlimited() {
        return ratePerSecond == 0;
    }

    /** How many messages in total should have been sent by {@code nowNanos} (the first is due at start). */
    public long dueBy(long nowNanos) {
        if (unlimited()) {
            return Long.MAX_VALUE;
        }
        long elapsed = nowNanos - startNanos;
        if (elapsed < 0) {
            return 0;
        }
        // double keeps (elapsed * rate) from overflowing on long runs at high rates
        return (long) Math.floor(elapsed * ratePerSecond / NANOS_PER_SECOND) + 1;
    }

    /** Nanoseconds from {@code nowNanos} until message number {@code sent} (0-based) is due; 0 if already due. */
    public long nanosUntilDue(long sent, long nowNanos) {
        if (unlimited()) {
            return 0;
        }
        long dueAt = startNanos + (long) Math.ceil(sent * NANOS_PER_SECOND / ratePerSecond);
        return Math.max(0, dueAt - nowNanos);
    }
}
