package io.tributary.bridge.publish;

import java.util.List;
import java.util.Map;
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
        Properties properties) {

    public InboundPublish {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(clientId, "clientId");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
        }
        if (properties == null) {
            properties = Properties.NONE;
        }
    }

    /**
     * MQTT 5 PUBLISH properties that travel with the message. Nulls mean "absent".
     *
     * @param payloadFormat         0 (bytes) or 1 (UTF-8), or null
     * @param contentType           MIME type, or null
     * @param messageExpirySeconds  Message Expiry Interval, or null
     * @param responseTopic         Response Topic, or null
     * @param correlationData       Correlation Data, or null
     * @param userProperties        User Properties in order, names may repeat
     */
    public record Properties(
            Integer payloadFormat,
            String contentType,
            Long messageExpirySeconds,
            String responseTopic,
            byte[] correlationData,
            List<Map.Entry<String, String>> userProperties) {

        public static final Properties NONE = new Properties(null, null, null, null, null, List.of());

        public Properties {
            userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
        }
    }
}
