package io.tributary.bridge.retained;

import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.mapping.TopicFilter;
import java.util.function.Consumer;

/**
 * The retained messages a node serves to new subscriptions: the last retained message of every topic name.
 * Thread-safe; matching never blocks.
 */
public interface RetainedStore {

    /**
     * Hands every retained message whose topic {@code filter} matches to {@code action}, on the calling thread
     * ({@code $} topics only to filters that do not start with a wildcard). An expired message may be among them:
     * the caller checks its Message Expiry when it sends it.
     */
    void match(TopicFilter filter, Consumer<OutboundMessage> action);

    /** The number of topics with a retained message. */
    int size();

    /** A store without retained messages. */
    RetainedStore NONE = new RetainedStore() {
        @Override
        public void match(TopicFilter filter, Consumer<OutboundMessage> action) {
        }

        @Override
        public int size() {
            return 0;
        }
    };
}
