package io.tributary.config;

import io.tributary.bridge.format.PayloadFormat;
import java.nio.file.Path;
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
 * @param format     {@code raw}, {@code avro} or {@code envelope}; null: raw
 * @param schema     format avro: the registry subject whose latest version is the schema
 * @param schemaFile format avro: an {@code .avsc} file, registered under {@code <kafka-topic>-value}
 */
public record MappingConfig(String filter, String kafkaTopic, String key, String mqttTopic, String format,
                            String schema, String schemaFile) {
    public MappingConfig {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(kafkaTopic, "kafkaTopic");
        Objects.requireNonNull(key, "key");
    }

    public MappingConfig(String filter, String kafkaTopic, String key, String mqttTopic) {
        this(filter, kafkaTopic, key, mqttTopic, "raw", null, null);
    }

    /** The rule's payload format; IllegalArgumentException saying what does not go together. */
    public PayloadFormat payloadFormat() {
        return payloadFormat(format, schema, schemaFile);
    }

    static PayloadFormat payloadFormat(String format, String schema, String schemaFile) {
        PayloadFormat.Kind kind = format == null ? PayloadFormat.Kind.RAW : PayloadFormat.Kind.parse(format);
        return new PayloadFormat(kind, schema, schemaFile == null ? null : Path.of(schemaFile));
    }
}
