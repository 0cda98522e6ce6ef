package io.tributary.bridge.publish;

/** Where Kafka stored a published message, and the record's timestamp. */
public record PublishAck(String kafkaTopic, int partition, long offset, long timestampMs) {
}
