package io.tributary.bridge.mapping;

import java.util.Objects;

/**
 * One rule of the MQTT -> Kafka topic mapping: messages whose MQTT topic matches {@code filter} go to
 * {@code kafkaTopic} with a key derived by {@code key}. Rules are tried in order; the first match wins.
 */
public record MappingRule(TopicFilter filter, String kafkaTopic, KeyStrategy key) {
    public MappingRule {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(kafkaTopic, "kafkaTopic");
        Objects.requireNonNull(key, "key");
    }
}
