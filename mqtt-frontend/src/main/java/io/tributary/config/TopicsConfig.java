package io.tributary.config;

import java.util.Objects;

/**
 * The topics of the Kafka data contract (section {@code kafka.topics}); see
 * {@link io.tributary.bridge.TopicSettings} for the meaning of each.
 */
public record TopicsConfig(
        String messages,
        String retained,
        String sessions,
        String subscriptions,
        String events,
        String deliveries,
        String deadLetter,
        int partitions,
        int replicationFactor,
        long messageRetentionMs) {

    public TopicsConfig {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(retained, "retained");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(subscriptions, "subscriptions");
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(deliveries, "deliveries");
        Objects.requireNonNull(deadLetter, "deadLetter");
    }
}
