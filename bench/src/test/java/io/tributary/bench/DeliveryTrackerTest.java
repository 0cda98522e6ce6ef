package io.tributary.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Loss, duplicate and order accounting per (publisher, subscriber) pair. */
class DeliveryTrackerTest {

    @Test
    void everyMessageOnceInOrderIsClean() {
        DeliveryTracker t = new DeliveryTracker(Scenario.FAN_IN, 0, 2);
        for (int seq = 0; seq < 5; seq++) {
            assertThat(t.record(0, seq)).isEqualTo(DeliveryTracker.Outcome.NEW);
            assertThat(t.record(1, seq)).isEqualTo(DeliveryTracker.Outcome.NEW);
        }

        DeliveryTracker.Totals totals = t.totals(new long[] {5, 5});

        assertThat(totals).isEqualTo(new DeliveryTracker.Totals(2, 10, 10, 0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void gapsAreLostOnlyForThePairThatMissedThem() {
        DeliveryTracker t = new DeliveryTracker(Scenario.FAN_IN, 0, 2);
        t.record(0, 0);
        t.record(0, 2); // 1 missing
        t.record(1, 0);
        t.record(1, 1);
        t.record(1, 2);

        DeliveryTracker.Totals totals = t.totals(new long[] {4, 3}); // publisher 0 also sent 3, never arrived

        assertThat(totals.expected()).isEqualTo(7);
        assertThat(totals.received()).isEqualTo(5);
        assertThat(totals.lost()).isEqualTo(2);
        assertThat(totals.pairsWithLoss()).isEqualTo(1);
        assertThat(totals.outOfOrder()).isZero();
    }

    @Test
    void aSecondArrivalIsADuplicateNotANewDelivery() {
        DeliveryTracker t = new DeliveryTracker(Scenario.P2P, 3, 5);
        t.record(3, 0);
        t.record(3, 1);

        assertThat(t.record(3, 1)).isEqualTo(DeliveryTracker.Outcome.DUPLICATE);
        assertThat(t.record(3, 0)).isEqualTo(DeliveryTracker.Outcome.DUPLICATE);

        DeliveryTracker.Totals totals = t.totals(new long[] {9, 9, 9, 2, 9});
        assertThat(totals.pairs()).isEqualTo(1); // p2p: subscriber 3 hears only from publisher 3
        assertThat(totals.received()).isEqualTo(2);
        assertThat(totals.duplicates()).isEqualTo(2);
        assertThat(totals.pairsWithDuplicates()).isEqualTo(1);
        assertThat(totals.lost()).isZero();
        assertThat(totals.outOfOrder()).isZero(); // a duplicate of an earlier message is not reordering
    }

    @Test
    void anArrivalAfterALaterOneIsOutOfOrder() {
        DeliveryTracker t = new DeliveryTracker(Scenario.FAN_OUT, 7, 1);
        t.record(0, 0);
        t.record(0, 2);
        assertThat(t.record(0, 1)).isEqualTo(DeliveryTracker.Outcome.NEW);
        t.record(0, 3);

        DeliveryTracker.Totals totals = t.totals(new long[] {4});

        assertThat(totals.outOfOrder()).isEqualTo(1);
        assertThat(totals.pairsOutOfOrder()).isEqualTo(1);
        assertThat(totals.lost()).isZero();
        assertThat(totals.duplicates()).isZero();
    }

    @Test
    void messagesFromAPublisherNotExpectedAreUnexpected() {
        DeliveryTracker t = new DeliveryTracker(Scenario.P2P, 0, 3);

        assertThat(t.record(1, 0)).isEqualTo(DeliveryTracker.Outcome.UNEXPECTED);
        assertThat(t.record(99, 0)).isEqualTo(DeliveryTracker.Outcome.UNEXPECTED);
        t.recordForeign();

        DeliveryTracker.Totals totals = t.totals(new long[] {0, 1, 0});
        assertThat(totals.unexpected()).isEqualTo(3);
        assertThat(totals.expected()).isZero();
        assertThat(totals.lost()).isZero();
    }

    @Test
    void totalsOfSeveralSubscribersAddUp() {
        long[] sent = {3};
        DeliveryTracker a = new DeliveryTracker(Scenario.FAN_OUT, 0, 1);
        DeliveryTracker b = new DeliveryTracker(Scenario.FAN_OUT, 1, 1);
        for (int seq = 0; seq < 3; seq++) {
            a.record(0, seq);
        }
        b.record(0, 0);
        b.record(0, 0);

        DeliveryTracker.Totals sum = a.totals(sent).plus(b.totals(sent));

        assertThat(sum).isEqualTo(new DeliveryTracker.Totals(2, 6, 4, 2, 1, 0, 0, 1, 1, 0));
    }

    @Test
    void scenariosSayWhoHearsWhom() {
        assertThat(Scenario.FAN_IN.publishers(10)).isEqualTo(10);
        assertThat(Scenario.FAN_IN.subscribers(10)).isEqualTo(1);
        assertThat(Scenario.FAN_IN.subscriptionFilter("bench", 0)).isEqualTo("bench/fanin/+");
        assertThat(Scenario.P2P.expects(2, 2)).isTrue();
        assertThat(Scenario.P2P.expects(2, 3)).isFalse();
        assertThat(Scenario.P2P.subscriptionFilter("bench", 4)).isEqualTo("bench/p2p/4");
        assertThat(Scenario.FAN_OUT.publishers(10)).isEqualTo(1);
        assertThat(Scenario.FAN_OUT.subscribers(10)).isEqualTo(10);
        assertThat(Scenario.FAN_OUT.deliveriesPerMessage(10)).isEqualTo(10);
        assertThat(Scenario.parse("fanout")).isEqualTo(Scenario.FAN_OUT);
    }
}
