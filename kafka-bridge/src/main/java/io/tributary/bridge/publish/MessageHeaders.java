package io.tributary.bridge.publish;

import io.tributary.bridge.MessageProperties;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The Kafka headers that carry MQTT metadata on message records (see docs/kafka-contract.md).
 *
 * <p>Values are UTF-8 strings except {@link #CORRELATION_DATA}, which is the raw bytes. Absent properties
 * produce no header. MQTT 5 user properties become headers of the same name and value, in order; names
 * beginning with {@value #RESERVED_PREFIX} belong to Tributary, so a user property named {@code mqtt.x} is
 * carried as {@code mqtt.user.mqtt.x}: a client cannot forge the identity headers.
 */
public final class MessageHeaders {

    /** Header names starting with this are Tributary's. */
    public static final String RESERVED_PREFIX = "mqtt.";
    /** Prefix of user properties whose own name starts with {@link #RESERVED_PREFIX}. */
    public static final String ESCAPED_USER_PROPERTY_PREFIX = "mqtt.user.";

    public static final String TOPIC = "mqtt.topic";
    public static final String QOS = "mqtt.qos";
    public static final String RETAIN = "mqtt.retain";
    public static final String CLIENT_ID = "mqtt.client.id";
    public static final String USERNAME = "mqtt.username";
    public static final String CERT_SUBJECT = "mqtt.cert.subject";
    public static final String CONTENT_TYPE = "mqtt.content.type";
    public static final String PAYLOAD_FORMAT = "mqtt.payload.format";
    public static final String MESSAGE_EXPIRY = "mqtt.message.expiry";
    public static final String RESPONSE_TOPIC = "mqtt.response.topic";
    public static final String CORRELATION_DATA = "mqtt.correlation.data";
    /**
     * On records of the retained topic: where the retained message is in its message topic (topic name, partition
     * and offset, as UTF-8 decimal strings), so that a node can tell which of two versions of a retained topic is
     * newer.
     */
    public static final String SOURCE_TOPIC = "mqtt.source.topic";
    public static final String SOURCE_PARTITION = "mqtt.source.partition";
    public static final String SOURCE_OFFSET = "mqtt.source.offset";
    /** On records of the dead-letter topic: why the payload did not fit its rule's format. */
    public static final String ERROR = "mqtt.error";
    /** On records of the dead-letter topic: the Kafka topic the message was meant for. */
    public static final String ERROR_TOPIC = "mqtt.error.topic";

    private static final byte[][] DIGITS = {utf8("0"), utf8("1"), utf8("2")};
    private static final byte[] TRUE = utf8("true");
    private static final byte[] FALSE = utf8("false");

    private MessageHeaders() {
    }

    /** The headers of the record for {@code message}. */
    public static Headers of(InboundPublish message) {
        return of(message, utf8(message.topic()));
    }

    /**
     * The headers of the record for {@code message} whose topic the caller already encoded (it is often the key
     * too). Header values are shared, never copied: Kafka only reads them.
     */
    static Headers of(InboundPublish message, byte[] topicUtf8) {
        MessageProperties p = message.properties();
        List<Map.Entry<String, String>> user = p.userProperties();
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader(TOPIC, topicUtf8));
        headers.add(new RecordHeader(QOS, DIGITS[message.qos()]));
        headers.add(new RecordHeader(RETAIN, message.retain() ? TRUE : FALSE));
        headers.add(new RecordHeader(CLIENT_ID, utf8(message.clientId())));
        if (message.username() != null) {
            headers.add(new RecordHeader(USERNAME, utf8(message.username())));
        }
        if (message.certSubject() != null) {
            headers.add(new RecordHeader(CERT_SUBJECT, utf8(message.certSubject())));
        }
        if (p.contentType() != null) {
            headers.add(new RecordHeader(CONTENT_TYPE, utf8(p.contentType())));
        }
        if (p.payloadFormat() != null) {
            headers.add(new RecordHeader(PAYLOAD_FORMAT, utf8(p.payloadFormat().toString())));
        }
        if (p.messageExpirySeconds() != null) {
            headers.add(new RecordHeader(MESSAGE_EXPIRY, utf8(p.messageExpirySeconds().toString())));
        }
        if (p.responseTopic() != null) {
            headers.add(new RecordHeader(RESPONSE_TOPIC, utf8(p.responseTopic())));
        }
        if (p.correlationData() != null) {
            headers.add(new RecordHeader(CORRELATION_DATA, p.correlationData()));
        }
        for (int i = 0; i < user.size(); i++) {
            Map.Entry<String, String> property = user.get(i);
            headers.add(new RecordHeader(headerNameOf(property.getKey()), utf8(property.getValue())));
        }
        return headers;
    }

    /** The header name that carries a user property named {@code userPropertyName}. */
    public static String headerNameOf(String userPropertyName) {
        return userPropertyName.startsWith(RESERVED_PREFIX)
                ? ESCAPED_USER_PROPERTY_PREFIX + userPropertyName
                : userPropertyName;
    }

    /**
     * The user property a header carries, the inverse of {@link #headerNameOf}: the name itself, the name
     * after {@code mqtt.user.}, or null for Tributary's own headers.
     */
    public static String userPropertyNameOf(String headerName) {
        if (headerName.startsWith(ESCAPED_USER_PROPERTY_PREFIX)) {
            return headerName.substring(ESCAPED_USER_PROPERTY_PREFIX.length());
        }
        return headerName.startsWith(RESERVED_PREFIX) ? null : headerName;
    }

    /** Approximate bytes the headers take: names plus values. */
    public static int sizeOf(Headers headers) {
        int size = 0;
        for (Header header : headers) {
            size += header.key().length();
            byte[] value = header.value();
            if (value != null) {
                size += value.length;
            }
        }
        return size;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
