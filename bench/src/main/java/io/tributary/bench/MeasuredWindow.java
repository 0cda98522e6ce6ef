package io.tributary.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The warm-up and measured window of a run, shared by {@link BenchRunner} and {@link E2eRunner}:
 * starts the publishers, moves the phases, prints one progress line a second, and stops early when
 * the connections are lost.
 */
final class MeasuredWindow {

    /** What a runner plugs in. */
    interface Run {
        /** Enter {@code phase}: WARMUP at the start, MEASURE when the window opens, DRAIN when it closes, at {@code nanos}. */
        void phase(BenchStats.Phase phase, long nanos);

        /** Non-null to stop early: the line to print, e.g. that all connections were lost. */
        String lost();

        /** The figures of the last {@code seconds} for the progress line, after its "[  3s measure] ". */
        String interval(double seconds);
    }

    private final PrintStream progress; // null: no per-second lines

    MeasuredWindow(PrintStream progress) {
        this.progress = progress;
    }

    /** Runs warm-up and measured window; returns the measured seconds (0 if the window never opened). */
    double run(Duration warmup, Duration duration, List<PublisherHandler> publishers, Run run)
            throws InterruptedException {
        long runStart = System.nanoTime();
        long measureStart = runStart + warmup.toNanos();
        long measureEnd = measureStart + duration.toNanos();
        long measureStartActual = 0;
        if (warmup.isZero()) {
            run.phase(BenchStats.Phase.MEASURE, runStart);
            measureStartActual = runStart;
        } else {
            run.phase(BenchStats.Phase.WARMUP, runStart);
        }
        for (PublisherHandler p : publishers) {
            p.ctxExecute(p::start);
        }
        long next = runStart + TimeUnit.SECONDS.toNanos(1); // next progress line
        long last = runStart;
        while (true) {
            long now = System.nanoTime();
            if (measureStartActual == 0 && now >= measureStart) {
                run.phase(BenchStats.Phase.MEASURE, now);
                measureStartActual = now;
            }
            if (now >= measureEnd) {
                break;
            }
            String lost = run.lost();
            if (lost != null) {
                line(lost);
                break;
            }
            long sleep = Math.min(next, measureStartActual == 0 ? measureStart : measureEnd) - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
            now = System.nanoTime();
            if (now >= next) {
                next += TimeUnit.SECONDS.toNanos(1);
                String figures = run.interval((now - last) / 1e9);
                line(String.format(Locale.ROOT, "[%4.0fs %-7s] ", (now - runStart) / 1e9,
                        measureStartActual == 0 ? "warm-up" : "measure") + figures);
                last = now;
            }
        }
        long end = System.nanoTime();
        run.phase(BenchStats.Phase.DRAIN, end);
        return measureStartActual == 0 ? 0 : (end - measureStartActual) / 1e9;
    }

    void line(String text) {
        if (progress != null) {
            progress.println(text);
            progress.flush();
        }
    }
}
