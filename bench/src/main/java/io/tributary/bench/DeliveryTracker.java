package io.tributary.bench;

import java.util.BitSet;

/**
 * What one subscriber received, per publisher, from the sequence numbers in the payloads: which
 * messages arrived (so duplicates are recognised), how many arrived after a later one of the same
 * publisher (out of order), and at the end, given how many each publisher sent, how many were
 * lost. Publishers this subscriber should not hear from are counted as unexpected. Not
 * thread-safe: one subscriber's event loop records, and reads only after it stopped receiving.
 */
final class DeliveryTracker {

    enum Outcome { NEW, DUPLICATE, UNEXPECTED }

    /** One publisher -> this subscriber. */
    private static final class Pair {
        final BitSet seen = new BitSet();
        long unique;
        long duplicates;
        long outOfOrder;
        long highest = -1;
    }

    private final Pair[] pairs; // by publisher index, null where this subscriber expects nothing
    private long unexpected;

    DeliveryTracker(Scenario scenario, int subscriber, int publishers) {
        pairs = new Pair[publishers];
        for (int p = 0; p < publishers; p++) {
            if (scenario.expects(subscriber, p)) {
                pairs[p] = new Pair();
            }
        }
    }

    Outcome record(int publisher, long sequence) {
        Pair pair = publisher >= 0 && publisher < pairs.length ? pairs[publisher] : null;
        if (pair == null || sequence < 0 || sequence > Integer.MAX_VALUE) {
            unexpected++;
            return Outcome.UNEXPECTED;
        }
        int seq = (int) sequence;
        if (pair.seen.get(seq)) {
            pair.duplicates++;
            return Outcome.DUPLICATE;
        }
        pair.seen.set(seq);
        pair.unique++;
        if (seq < pair.highest) {
            pair.outOfOrder++;
        } else {
            pair.highest = seq;
        }
        return Outcome.NEW;
    }

    /** A message whose payload is not an end-to-end header (too short): counted as unexpected. */
    void recordForeign() {
        unexpected++;
    }

    /** Totals over this subscriber's pairs; {@code sent[p]} = messages publisher p sent (sequence 0..sent-1). */
    Totals totals(long[] sent) {
        Totals t = Totals.ZERO;
        for (int p = 0; p < pairs.length; p++) {
            Pair pair = pairs[p];
            if (pair == null) {
                continue;
            }
            long expected = sent[p];
            long received = pair.seen.get(0, (int) Math.min(expected, Integer.MAX_VALUE)).cardinality();
            long lost = expected - received;
            t = t.plus(new Totals(1, expected, received, lost, pair.duplicates, pair.outOfOrder, 0,
                    lost > 0 ? 1 : 0, pair.duplicates > 0 ? 1 : 0, pair.outOfOrder > 0 ? 1 : 0));
        }
        return t.plus(new Totals(0, 0, 0, 0, 0, 0, unexpected, 0, 0, 0));
    }

    /**
     * Delivery accounting summed over (publisher, subscriber) pairs. {@code expected}: messages the
     * pairs' publishers sent; {@code received}: distinct ones of those that arrived; {@code lost}
     * = expected - received; {@code unexpected}: messages from a publisher the subscriber should
     * not hear from, or whose payload was not ours. The {@code pairsWith...} count affected pairs.
     */
    record Totals(long pairs, long expected, long received, long lost, long duplicates, long outOfOrder,
                  long unexpected, long pairsWithLoss, long pairsWithDuplicates, long pairsOutOfOrder) {

        static final Totals ZERO = new Totals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        Totals plus(Totals o) {
            return new Totals(pairs + o.pairs, expected + o.expected, received + o.received, lost + o.lost,
                    duplicates + o.duplicates, outOfOrder + o.outOfOrder, unexpected + o.unexpected,
                    pairsWithLoss + o.pairsWithLoss, pairsWithDuplicates + o.pairsWithDuplicates,
                    pairsOutOfOrder + o.pairsOutOfOrder);
        }
    }
}
