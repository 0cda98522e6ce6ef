package io.tributary.bridge;

import java.util.List;
import java.util.Map;

/**
 * MQTT 5 PUBLISH properties that travel with a message, into Kafka as headers and back out to subscribers.
 * Nulls mean "absent".
 *
 * @param payloadFormat         0 (bytes) or 1 (UTF-8), or null
 * @param contentType           MIME type, or null
 * @param messageExpirySeconds  Message Expiry Interval, or null
 * @param responseTopic         Response Topic, or null
 * @param correlationData       Correlation Data, or null
 * @param userProperties        User Properties in order, names may repeat
 */
public record MessageProperties(
        Integer payloadFormat,
        String contentType,
        Long messageExpirySeconds,
        String responseTopic,
        byte[] correlationData,
        List<Map.Entry<String, String>> userProperties) {

    public static final MessageProperties NONE = new MessageProperties(null, null, null, null, null, List.of());

    public MessageProperties {
        userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
    }
}
