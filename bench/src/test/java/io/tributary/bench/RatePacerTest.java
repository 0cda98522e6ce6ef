package io.tributary.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RatePacerTest {

    private static final long START = 5_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void firstMessageIsDueAtStart() {
        RatePacer pacer = new RatePacer(100, START);

        assertThat(pacer.dueBy(START)).isEqualTo(1);
        assertThat(pacer.dueBy(START - 1)).isZero();
    }

    @Test
    void dueCountFollowsTheRate() {
        RatePacer pacer = new RatePacer(100, START); // one every 10 ms

        assertThat(pacer.dueBy(START + 9 * MS)).isEqualTo(1);
        assertThat(pacer.dueBy(START + 10 * MS)).isEqualTo(2);
        assertThat(pacer.dueBy(START + 1000 * MS)).isEqualTo(101);
    }

    @Test
    void nanosUntilDueIsTheGapToTheNextSlot() {
        RatePacer pacer = new RatePacer(100, START);

        assertThat(pacer.nanosUntilDue(1, START)).isEqualTo(10 * MS);
        assertThat(pacer.nanosUntilDue(1, START + 4 * MS)).isEqualTo(6 * MS);
        assertThat(pacer.nanosUntilDue(1, START + 20 * MS)).isZero(); // behind schedule: due now
    }

    @Test
    void fractionalRatesWork() {
        RatePacer pacer = new RatePacer(0.5, START); // one every 2 s

        assertThat(pacer.dueBy(START + 1999 * MS)).isEqualTo(1);
        assertThat(pacer.dueBy(START + 2000 * MS)).isEqualTo(2);
        assertThat(pacer.nanosUntilDue(1, START)).isEqualTo(2000 * MS);
    }

    @Test
    void longRunsAtHighRatesDoNotOverflow() {
        RatePacer pacer = new RatePacer(1_000_000, 0);
        long tenHours = 36_000L * 1_000_000_000L;

        assertThat(pacer.dueBy(tenHours)).isEqualTo(36_000L * 1_000_000L + 1);
    }

    @Test
    void zeroMeansUnlimited() {
        RatePacer pacer = new RatePacer(0, START);

        assertThat(pacer.unlimited()).isTrue();
        assertThat(pacer.dueBy(START)).isEqualTo(Long.MAX_VALUE);
        assertThat(pacer.nanosUntilDue(1_000_000, START)).isZero();
    }

    @Test
    void negativeRateIsRejected() {
        assertThatThrownBy(() -> new RatePacer(-1, START)).isInstanceOf(IllegalArgumentException.class);
    }
}
