package io.tributary.bridge.delivery;

import java.util.Objects;

/**
 * The records of one partition from offset {@code from} (inclusive) to {@code to} (exclusive).
 */
public record OffsetRange(PartitionId partition, long from, long to) {

    public OffsetRange {
        Objects.requireNonNull(partition, "partition");
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("bad offset range " + partition + " [" + from + ", " + to + ")");
        }
    }

    public boolean isEmpty() {
        return from == to;
    }

    public boolean contains(long offset) {
        return offset >= from && offset < to;
    }
}
