package io.tributary.bridge.delivery;

import java.util.concurrent.CompletionStage;

/**
 * The messages of one MQTT shared subscription ({@code $share/{name}/{filter}}) that this node is to hand to its
 * members: across all nodes with members, each matching message is given to exactly one node.
 */
public interface SharedFeed extends AutoCloseable {

    /** Starts reading; completes when messages published from now on will be delivered. */
    CompletionStage<Void> start(DeliveryListener listener);

    /** A member is done with {@code message} (acknowledged it, or it is not to be delivered). Any thread. */
    void done(OutboundMessage message);

    @Override
    void close();

    /** Opens the feed of a share on this node. */
    @FunctionalInterface
    interface Factory {
        SharedFeed open(String shareName, String filter);
    }
}
