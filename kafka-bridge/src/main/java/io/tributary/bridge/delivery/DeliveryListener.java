package io.tributary.bridge.delivery;

import java.util.List;

/** Receives what a {@link MessageFeed} reads from Kafka. */
@FunctionalInterface
public interface DeliveryListener {

    /**
     * One poll's messages, in Kafka order within each partition. Called on the feed's thread, one batch at a time:
     * hand the work to other threads, do not block.
     */
    void onMessages(List<OutboundMessage> batch);
}
