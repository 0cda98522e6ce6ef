package io.tributary.bridge;

import java.util.Objects;

/**
 * The topics of the Kafka data contract (see docs/kafka-contract.md).
 *
 * @param messages           default topic for MQTT messages no mapping rule claims
 * @param retained           compacted: last retained message per MQTT topic
 * @param sessions           compacted: persistent session state per client id
 * @param subscriptions      compacted: subscriptions per client id
 * @param events             connect and disconnect events of clients, keyed by client id (read by the presence app)
 * @param deliveries         routed mode: messages the fan-out app routed, one partition read by each node
 * @param deadLetter         payloads that did not fit their mapping rule's format, with the reason in headers
 * @param partitions         partitions of topics Tributary creates (message topics and state topics)
 * @param replicationFactor  replication factor of topics Tributary creates; -1 takes the broker default
 * @param messageRetentionMs retention.ms of message topics Tributary creates; -1 takes the broker default
 */
public record TopicSettings(
        String messages,
        String retained,
        String sessions,
        String subscriptions,
        String events,
        String deliveries,
        String deadLetter,
        int partitions,
        short replicationFactor,
        long messageRetentionMs) {

    public TopicSettings {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(retained, "retained");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(subscriptions, "subscriptions");
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(deliveries, "deliveries");
        Objects.requireNonNull(deadLetter, "deadLetter");
        if (partitions < 1) {
            throw new IllegalArgumentException("kafka.topics.partitions must be >= 1: " + partitions);
        }
        if (replicationFactor == 0 || replicationFactor < -1) {
            throw new IllegalArgumentException(
                    "kafka.topics.replication-factor must be >= 1 or -1 (broker default): " + replicationFactor);
        }
    }

    public static TopicSettings defaults() {
        return new TopicSettings("mqtt.messages", "mqtt.retained", "mqtt.sessions", "mqtt.subscriptions", "mqtt.events", "mqtt.deliveries", "mqtt.dead-letter",
                6, (short) -1, -1L);
    }
}
