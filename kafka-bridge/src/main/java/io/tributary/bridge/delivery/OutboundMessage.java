package io.tributary.bridge.delivery;

import io.tributary.bridge.MessageProperties;
import java.util.Objects;

/**
 * A message read from Kafka to be delivered to MQTT subscribers: plain Java, no Kafka or Netty types.
 * Payload and property arrays are shared by every subscriber it goes to and must not be modified.
 *
 * @param topic              the MQTT topic name to deliver on
 * @param payload            the application message
 * @param qos                the QoS it was published with (records from other Kafka producers: see the reader)
 * @param retain             the RETAIN flag it was published with
 * @param publisherClientId  the MQTT client that published it, or null for records of other Kafka producers
 * @param properties         MQTT 5 properties (from the record headers)
 * @param timestampMs        the Kafka record timestamp; with Message Expiry it says how much time is left
 * @param kafkaTopic         where the record is in Kafka ...
 * @param partition          ...
 * @param offset             ... (a session's served position is the next offset)
 */
public record OutboundMessage(
        String topic,
        byte[] payload,
        int qos,
        boolean retain,
        String publisherClientId,
        MessageProperties properties,
        long timestampMs,
        String kafkaTopic,
        int partition,
        long offset) {

    public OutboundMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        if (properties == null) {
            properties = MessageProperties.NONE;
        }
    }

    /** Seconds of Message Expiry left at {@code nowMs}: null when it has none, <= 0 when it has expired. */
    public Long expiryLeftSeconds(long nowMs) {
        Long expiry = properties.messageExpirySeconds();
        if (expiry == null) {
            return null;
        }
        long elapsedSeconds = Math.max(0, nowMs - timestampMs) / 1000;
        return expiry - elapsedSeconds;
    }
}
