package io.tributary.bridge.delivery;

import java.util.Map;

/**
 * The Kafka -> MQTT direction in broadcast mode: reads every partition of every message topic (assigned, no
 * consumer group) from the end, as MQTT messages, and hands them to one listener. One per broker node.
 */
public interface MessageFeed extends AutoCloseable {

    /**
     * Starts reading from the current end of every partition; returns once the positions are fixed, with those
     * positions (every message at or after them will reach the listener).
     */
    Map<PartitionId, Long> start(FeedListener listener);

    /** Records read from Kafka so far, skipped ones included. */
    long recordsRead();

    /** Key and value bytes of those records. */
    long bytesRead();

    /** Stops reading and waits for the reader thread to end. */
    @Override
    void close();
}
