package io.tributary.bridge.delivery;

import java.util.List;
import java.util.Map;

/** Receives what a {@link MessageFeed} reads from Kafka, with how far it has read. */
@FunctionalInterface
public interface FeedListener {

    /**
     * One poll: its messages in Kafka order within each partition (empty when every record was skipped), and the
     * feed's position in every partition it reads after this poll (the next offset it will read), so that a
     * subscriber knows exactly up to where it has been served. Called on the feed's thread, one poll at a time:
     * hand the work to other threads, do not block.
     */
    void onBatch(List<OutboundMessage> batch, Map<PartitionId, Long> positions);
}
