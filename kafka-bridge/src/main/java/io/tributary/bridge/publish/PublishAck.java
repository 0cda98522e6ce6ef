package io.tributary.bridge.publish;

/**
 * Where Kafka stored a published message, and the record's timestamp.
 *
 * @param refusal null when the message went where its mapping rule sends it; otherwise why its payload did not
 *                fit the rule's format (then the record is in the dead-letter topic, and an MQTT 5 publisher is told
 *                0x99 Payload format invalid)
 */
public record PublishAck(String kafkaTopic, int partition, long offset, long timestampMs, String refusal) {

    public PublishAck(String kafkaTopic, int partition, long offset, long timestampMs) {
        this(kafkaTopic, partition, offset, timestampMs, null);
    }
}
