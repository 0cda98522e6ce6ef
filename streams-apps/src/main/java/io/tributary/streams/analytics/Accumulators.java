package io.tributary.streams.analytics;

import io.tributary.schemas.analytics.DeviceWindowStats;
import io.tributary.schemas.analytics.FieldAccumulator;
import io.tributary.schemas.analytics.FieldStats;
import io.tributary.schemas.analytics.TopicWindowStats;
import io.tributary.schemas.analytics.WindowAccumulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Window statistics as {@link WindowAccumulator}s: a message is an accumulator of count 1, two merge into one (so
 * Streams can reduce them), and a closed window's accumulator becomes the result record.
 */
final class Accumulators {

    private Accumulators() {
    }

    /**
     * One message.
     *
     * @param values the numbers found, by path, in the configured order
     */
    static WindowAccumulator ofMessage(int payloadBytes, Map<String, Double> values, long timestamp) {
        List<FieldAccumulator> fields = new ArrayList<>(values.size());
        values.forEach((path, v) -> fields.add(new FieldAccumulator(path, 1L, v, v, v, v, timestamp)));
        return new WindowAccumulator(1L, (long) payloadBytes, fields);
    }

    /** Both together; neither argument is changed. */
    static WindowAccumulator merge(WindowAccumulator a, WindowAccumulator b) {
        Map<String, FieldAccumulator> fields = new LinkedHashMap<>();
        for (FieldAccumulator f : a.getFields()) {
            fields.put(f.getPath(), f);
        }
        for (FieldAccumulator f : b.getFields()) {
            fields.merge(f.getPath(), f, Accumulators::merge);
        }
        return new WindowAccumulator(a.getCount() + b.getCount(), a.getBytes() + b.getBytes(),
                new ArrayList<>(fields.values()));
    }

    private static FieldAccumulator merge(FieldAccumulator a, FieldAccumulator b) {
        // ties go to b, the later one read: "last" is the last message read among those of the latest timestamp
        FieldAccumulator last = b.getLastTimestamp() >= a.getLastTimestamp() ? b : a;
        return new FieldAccumulator(a.getPath(), a.getCount() + b.getCount(), Math.min(a.getMin(), b.getMin()),
                Math.max(a.getMax(), b.getMax()), a.getSum() + b.getSum(), last.getLast(), last.getLastTimestamp());
    }

    static TopicWindowStats topicStats(String topic, long start, long end, WindowAccumulator acc,
            List<String> paths) {
        return new TopicWindowStats(topic, Instant.ofEpochMilli(start), Instant.ofEpochMilli(end),
                acc.getCount(), acc.getBytes(), rate(acc, start, end), fieldStats(acc, paths));
    }

    static DeviceWindowStats deviceStats(String device, long start, long end, WindowAccumulator acc,
            List<String> paths) {
        return new DeviceWindowStats(device, Instant.ofEpochMilli(start),
                Instant.ofEpochMilli(end), acc.getCount(), acc.getBytes(), rate(acc, start, end),
                fieldStats(acc, paths));
    }

    private static double rate(WindowAccumulator acc, long start, long end) {
        return acc.getCount() / (Duration.ofMillis(end - start).toNanos() / 1e9);
    }

    /** The fields that had values, in the configured order. */
    private static List<FieldStats> fieldStats(WindowAccumulator acc, List<String> paths) {
        Map<String, FieldAccumulator> byPath = new LinkedHashMap<>();
        acc.getFields().forEach(f -> byPath.put(f.getPath(), f));
        List<FieldStats> stats = new ArrayList<>(byPath.size());
        for (String path : paths) {
            FieldAccumulator f = byPath.get(path);
            if (f != null && f.getCount() > 0) {
                stats.add(new FieldStats(path, f.getCount(), f.getMin(), f.getMax(), f.getSum() / f.getCount(),
                        f.getLast()));
            }
        }
        return stats;
    }
}
