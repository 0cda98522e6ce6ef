package io.tributary.bridge.routing;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Tells the cluster which topic filters the clients of this node have, so that messages reach this node.
 * Broadcast mode needs nothing (every node reads every message); routed mode writes the subscriptions topic,
 * which the fan-out app matches every message against.
 */
public interface SubscriptionRouting {

    /**
     * {@code clientId} (connection {@code epoch}) is on this node with these non-shared topic filters. Completes
     * once every message published to a message topic from then on is routed with them: a session may go live,
     * a SUBSCRIBE may be acknowledged. Fails if Kafka does not take the update.
     */
    CompletionStage<Void> update(String clientId, long epoch, Collection<String> filters);

    /** The connection {@code epoch} of {@code clientId} ended: route nothing more to this node for it. */
    void left(String clientId, long epoch);

    /** Broadcast mode: nothing to tell. */
    SubscriptionRouting BROADCAST = new SubscriptionRouting() {
        @Override
        public CompletionStage<Void> update(String clientId, long epoch, Collection<String> filters) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void left(String clientId, long epoch) {
        }
    };
}
