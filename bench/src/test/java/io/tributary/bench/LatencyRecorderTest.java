package io.tributary.bench;

import io.tributary.bench.LatencyRecorder.LatencySummary;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LatencyRecorderTest {

    @Test
    void percentilesOfMeasuredMessagesInMicros() {
        LatencyRecorder recorder = new LatencyRecorder();
        for (int i = 1; i <= 1000; i++) {
            recorder.record(TimeUnit.MICROSECONDS.toNanos(i), true); // 1..1000 us
        }

        LatencySummary s = recorder.measuredSummary();

        assertThat(s.count()).isEqualTo(1000);
        // HdrHistogram keeps 3 significant digits: allow 0.1 %
        assertThat(s.p50Micros()).isCloseTo(500, within(1.0));
        assertThat(s.p90Micros()).isCloseTo(900, within(1.0));
        assertThat(s.p99Micros()).isCloseTo(990, within(1.0));
        assertThat(s.p999Micros()).isCloseTo(999, within(1.0));
        assertThat(s.maxMicros()).isCloseTo(1000, within(1.0));
        assertThat(s.meanMicros()).isCloseTo(500.5, within(1.0));
    }

    @Test
    void warmUpMessagesAppearInIntervalsButNotInTheResult() {
        LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(5_000_000, false);
        recorder.record(1_000_000, true);

        assertThat(recorder.takeInterval().count()).isEqualTo(2);
        assertThat(recorder.measuredSummary().count()).isEqualTo(1);
    }

    @Test
    void intervalsResetAndCanBeEmpty() {
        LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(1_000, true);
        recorder.takeInterval();

        LatencySummary empty = recorder.takeInterval();

        assertThat(empty.count()).isZero();
        assertThat(empty.p99Micros()).isZero();
    }

    @Test
    void outOfRangeValuesAreClampedNotThrown() {
        LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(-5, true);
        recorder.record(TimeUnit.HOURS.toNanos(2), true);

        LatencySummary s = recorder.measuredSummary();

        assertThat(s.count()).isEqualTo(2);
        assertThat(s.maxMicros()).isCloseTo(TimeUnit.NANOSECONDS.toMicros(LatencyRecorder.HIGHEST_TRACKABLE_NANOS),
                within(TimeUnit.NANOSECONDS.toMicros(LatencyRecorder.HIGHEST_TRACKABLE_NANOS) / 500.0));
    }
}
