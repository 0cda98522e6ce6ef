package io.tributary.bridge.publish;

import io.tributary.bridge.MessageProperties;
import java.util.Objects;

/**
 * An MQTT PUBLISH as the protocol layer hands it to the bridge: plain Java, no Netty types.
 * The payload array is owned by the bridge from here on (the caller copied it out of its buffer).
 *
 * @param topic        the MQTT topic name (after topic alias resolution)
 * @param payload      the application message
 * @param qos          0, 1 or 2
 * @param retain       the RETAIN flag
 * @param clientId     the publisher's client identifier
 * @param username     the authenticated user name, or null when the client is anonymous
 * @param certSubject  the subject of the verified client certificate, or null
 * @param properties   MQTT 5 properties to pass through (empty for 3.x clients)
 */
public record InboundPublish(
        String topic,
        byte[] payload,
        int qos,
        boolean retain,
        String clientId,
        String username,
        String certSubject,
        MessageProperties properties) {

    public InboundPublish {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(clientId, "clientId");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
        }
        if (properties == null) {
            properties = MessageProperties.NONE;
        }
    }
}
