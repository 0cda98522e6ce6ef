package io.tributary.streams.fanout;

import org.apache.kafka.streams.processor.StreamPartitioner;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Where a record of the deliveries topic goes: a delivery to the partition of its node ({@link FanoutTopology#partitionOf}),
 * a watermark to every partition.
 */
final class DeliveryPartitioner implements StreamPartitioner<byte[], byte[]> {

    private static final byte[] WATERMARK_KEY = FanoutTopology.WATERMARK_KEY.getBytes(StandardCharsets.UTF_8);

    /** Every partition, for the partition count seen last (it changes only if the topic is given partitions). */
    private volatile Optional<Set<Integer>> all = Optional.of(Set.of());

    @Override
    public Optional<Set<Integer>> partitions(String topic, byte[] key, byte[] value, int numPartitions) {
        if (Arrays.equals(key, WATERMARK_KEY)) {
            Optional<Set<Integer>> every = all;
            if (every.get().size() != numPartitions) {
                every = Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
                all = every;
            }
            return every;
        }
        return Optional.of(Set.of(FanoutTopology.partitionOf(key, numPartitions)));
    }
}
