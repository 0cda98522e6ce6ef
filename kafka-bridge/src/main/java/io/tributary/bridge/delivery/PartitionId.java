package io.tributary.bridge.delivery;

import java.util.Objects;

/** A partition of a Kafka topic, without Kafka types (the protocol layer uses it for served positions). */
public record PartitionId(String topic, int partition) {

    public PartitionId {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0: " + partition);
        }
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
