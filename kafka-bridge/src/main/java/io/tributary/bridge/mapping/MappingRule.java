package io.tributary.bridge.mapping;

import io.tributary.bridge.format.PayloadFormat;
import java.util.Objects;

/**
 * One rule of the topic mapping. MQTT -> Kafka: messages whose MQTT topic matches {@code filter} go to
 * {@code kafkaTopic} with a key derived by {@code key}; rules are tried in order, the first match wins.
 * Kafka -> MQTT: a record in {@code kafkaTopic} without an {@code mqtt.topic} header (written by another Kafka
 * producer) is delivered on the MQTT topic {@code mqttTopicTemplate} with {@code {key}} replaced by the record
 * key, or on the record key itself when the template is null.
 *
 * @param filter             MQTT topic filter
 * @param kafkaTopic         Kafka topic
 * @param key                how the record key is derived
 * @param mqttTopicTemplate  MQTT topic for records of other producers, e.g. {@code devices/{key}/commands}; or null
 * @param format             how the records carry the payload (raw bytes, JSON as Avro, the Avro envelope)
 */
public record MappingRule(TopicFilter filter, String kafkaTopic, KeyStrategy key, String mqttTopicTemplate,
                          PayloadFormat format) {

    public static final String KEY_PLACEHOLDER = "{key}";

    public MappingRule {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(kafkaTopic, "kafkaTopic");
        Objects.requireNonNull(key, "key");
        if (format == null) {
            format = PayloadFormat.RAW;
        }
    }

    public MappingRule(TopicFilter filter, String kafkaTopic, KeyStrategy key, String mqttTopicTemplate) {
        this(filter, kafkaTopic, key, mqttTopicTemplate, PayloadFormat.RAW);
    }

    public MappingRule(TopicFilter filter, String kafkaTopic, KeyStrategy key) {
        this(filter, kafkaTopic, key, null, PayloadFormat.RAW);
    }
}
