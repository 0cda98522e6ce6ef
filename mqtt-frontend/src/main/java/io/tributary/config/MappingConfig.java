package io.tributary.config;

import java.util.Objects;

/**
 * One entry of the {@code mapping} list as configured; already validated by the loader.
 * {@link TributaryConfig#mappingRules()} turns the list into {@link io.tributary.bridge.mapping.MappingRule}s.
 *
 * @param filter     MQTT topic filter
 * @param kafkaTopic Kafka topic the matching messages go to
 * @param key        key strategy: {@code topic}, {@code client-id}, {@code none} or {@code level:N}
 * @param mqttTopic  MQTT topic for records other Kafka producers write to {@code kafkaTopic}, with {@code {key}}
 *                   standing for the record key; null: the record key is the MQTT topic
 */
public record MappingConfig(String filter, String kafkaTopic, String key, String mqttTopic) {
    public MappingConfig {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(kafkaTopic, "kafkaTopic");
        Objects.requireNonNull(key, "key");
    }
}
