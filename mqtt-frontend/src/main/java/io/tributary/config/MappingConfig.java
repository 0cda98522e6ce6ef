package io.tributary.config;

import java.util.Objects;

/**
 * One entry of the {@code mapping} list as configured; already validated by the loader.
 * {@link TributaryConfig#mappingRules()} turns the list into {@link io.tributary.bridge.mapping.MappingRule}s.
 *
 * @param filter     MQTT topic filter
 * @param kafkaTopic Kafka topic the matching messages go to
 * @param key        key strategy: {@code topic}, {@code client-id}, {@code none} or {@code level:N}
 */
public record MappingConfig(String filter, String kafkaTopic, String key) {
    public MappingConfig {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(kafkaTopic, "kafkaTopic");
        Objects.requireNonNull(key, "key");
    }
}
