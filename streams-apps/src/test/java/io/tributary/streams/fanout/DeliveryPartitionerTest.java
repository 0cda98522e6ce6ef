package io.tributary.streams.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

class DeliveryPartitionerTest {

    private final DeliveryPartitioner partitioner = new DeliveryPartitioner();

    @Test
    void aNodesPartitionIsTheOneKafkasProducerPicksForItsIdAsKey() {
        for (String node : new String[] {"node-a", "node-b", "broker-7", "ü-node", ""}) {
            byte[] key = node.getBytes(StandardCharsets.UTF_8);
            for (int partitions : new int[] {1, 2, 3, 12, 100}) {
                assertThat(FanoutTopology.partitionOf(node, partitions))
                        .as("%s of %d", node, partitions)
                        .isEqualTo(BuiltInPartitioner.partitionForKey(key, partitions));
            }
        }
    }

    @Test
    void aDeliveryGoesToThePartitionOfItsNodeOnly() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            String node = "node-" + i;
            Optional<Set<Integer>> partitions =
                    partitioner.partitions("mqtt.deliveries", utf8(node), utf8("payload"), 8);
            assertThat(partitions).contains(Set.of(FanoutTopology.partitionOf(node, 8)));
            seen.addAll(partitions.orElseThrow());
        }
        assertThat(seen).as("nodes spread over the partitions").hasSizeGreaterThan(4);
    }

    @Test
    void aWatermarkGoesToEveryPartitionWhateverTheirNumber() {
        byte[] key = utf8(FanoutTopology.WATERMARK_KEY);

        assertThat(partitioner.partitions("mqtt.deliveries", key, new byte[0], 6))
                .contains(Set.of(0, 1, 2, 3, 4, 5));
        assertThat(partitioner.partitions("mqtt.deliveries", key, new byte[0], 1)).contains(Set.of(0));
        assertThat(partitioner.partitions("mqtt.deliveries", key, new byte[0], 3)).contains(Set.of(0, 1, 2));
    }

    @Test
    void partitionOfNeedsAtLeastOnePartition() {
        assertThatThrownBy(() -> FanoutTopology.partitionOf("node-a", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
