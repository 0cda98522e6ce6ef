package io.tributary.bridge.publish;

/** Where Kafka stored a published message. */
public record PublishAck(String kafkaTopic, int partition, long offset) {
}
