package io.tributary.bridge.delivery;

import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicMapper;
import io.tributary.bridge.publish.MessageHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Turns Kafka records of the message topics into {@link OutboundMessage}s: the inverse of
 * {@link MessageHeaders#of} (see "Kafka -> MQTT" in docs/kafka-contract.md).
 *
 * <p>The MQTT topic is the {@code mqtt.topic} header; for records of other Kafka producers (no such header) it is
 * the MQTT topic template of the first mapping rule naming the record's Kafka topic with {@code {key}} replaced
 * by the record key, or else the record key itself. A record without a valid MQTT topic name, and a tombstone, is
 * skipped ({@link #toMessage} returns null) and reported at WARN at most once a minute per Kafka topic.
 * A malformed header value never fails a record: that header counts as absent.
 *
 * <p>Immutable apart from the warning bookkeeping; thread-safe. Runs for every record a node reads, so it makes
 * one pass over the headers and allocates only what the message keeps.
 */
public final class MessageRecords {

    private static final Logger LOG = LoggerFactory.getLogger(MessageRecords.class);

    /** MQTT strings and binary data carry a two-byte length (MQTT 1.5.4, 1.5.6). */
    static final int MAX_MQTT_STRING_BYTES = 65_535;
    private static final long MAX_MESSAGE_EXPIRY = 0xFFFF_FFFFL; // Four Byte Integer
    private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final Integer[] PAYLOAD_FORMATS = {0, 1};

    private final int defaultQos;
    private final String defaultKafkaTopic;
    /** For the payload codec of each message topic (JSON back from Avro for the rules that convert). */
    private final TopicMapper mapper;
    /** Kafka topic -> the template of the first rule that names it, for the rules that have one. */
    private final Map<String, Template> templates;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, SkipWarning> skipWarnings = new ConcurrentHashMap<>();

    /**
     * @param mapper      the mapping rules (their MQTT topic templates) and the default message topic
     * @param defaultQos  the QoS of records written by other Kafka producers (no {@code mqtt.qos} header)
     * @throws IllegalArgumentException if a rule's MQTT topic template can never give a valid topic name
     */
    public MessageRecords(TopicMapper mapper, int defaultQos) {
        this(mapper, defaultQos, System::nanoTime);
    }

    MessageRecords(TopicMapper mapper, int defaultQos, LongSupplier nanoClock) {
        Objects.requireNonNull(mapper, "mapper");
        if (defaultQos < 0 || defaultQos > 2) {
            throw new IllegalArgumentException("default QoS must be 0, 1 or 2: " + defaultQos);
        }
        this.defaultQos = defaultQos;
        this.mapper = mapper;
        this.defaultKafkaTopic = mapper.defaultKafkaTopic();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        Map<String, Template> byTopic = new HashMap<>();
        List<String> seen = new ArrayList<>();
        for (MappingRule rule : mapper.rules()) {
            String kafkaTopic = rule.kafkaTopic();
            if (seen.contains(kafkaTopic)) {
                continue; // only the first rule naming a Kafka topic decides
            }
            seen.add(kafkaTopic);
            if (rule.mqttTopicTemplate() != null && !kafkaTopic.equals(defaultKafkaTopic)) {
                byTopic.put(kafkaTopic, Template.parse(rule));
            }
        }
        this.templates = Map.copyOf(byTopic);
    }

    /** The message {@code record} carries, or null when it is skipped (tombstone, no valid MQTT topic name). */
    public OutboundMessage toMessage(ConsumerRecord<byte[], byte[]> record) {
        byte[] payload = record.value();
        if (payload == null) {
            skipped(record, "a tombstone (null value)");
            return null;
        }
        byte[] topicHeader = null;
        byte[] sourceTopic = null;
        int qos = -1;
        boolean retain = false;
        String clientId = null;
        Integer payloadFormat = null;
        String contentType = null;
        Long expiry = null;
        String responseTopic = null;
        byte[] correlationData = null;
        List<Map.Entry<String, String>> user = null;

        for (Header header : record.headers()) {
            String name = header.key();
            byte[] value = header.value();
            if (name == null || value == null) {
                continue;
            }
            if (!name.startsWith(MessageHeaders.RESERVED_PREFIX)) {
                user = addUserProperty(user, name, value);
                continue;
            }
            switch (name) {
                case MessageHeaders.TOPIC -> topicHeader = value;
                case MessageHeaders.SOURCE_TOPIC -> sourceTopic = value;
                case MessageHeaders.QOS -> qos = digit(value, 2);
                case MessageHeaders.RETAIN -> retain = isTrue(value);
                case MessageHeaders.CLIENT_ID -> clientId = new String(value, StandardCharsets.UTF_8);
                case MessageHeaders.PAYLOAD_FORMAT -> {
                    int format = digit(value, 1);
                    payloadFormat = format < 0 ? null : PAYLOAD_FORMATS[format];
                }
                case MessageHeaders.CONTENT_TYPE -> contentType = mqttString(value, false);
                case MessageHeaders.MESSAGE_EXPIRY -> expiry = messageExpiry(value);
                case MessageHeaders.RESPONSE_TOPIC -> {
                    // MQTT-3.3.2-14: a topic name, no wildcards
                    String topic = mqttString(value, true);
                    responseTopic = topic == null || topic.isEmpty() ? null : topic;
                }
                case MessageHeaders.CORRELATION_DATA ->
                        correlationData = value.length <= MAX_MQTT_STRING_BYTES ? value : null;
                default -> {
                    if (name.startsWith(MessageHeaders.ESCAPED_USER_PROPERTY_PREFIX)) {
                        user = addUserProperty(user,
                                name.substring(MessageHeaders.ESCAPED_USER_PROPERTY_PREFIX.length()), value);
                    }
                    // other mqtt.* headers (username, certificate subject, future ones) are not user properties
                }
            }
        }

        String topic = topicHeader != null ? mqttTopicName(topicHeader) : topicOfForeignRecord(record);
        if (topic == null) {
            skipped(record, topicHeader != null ? "its mqtt.topic header is not a valid MQTT topic name"
                    : "neither an mqtt.topic header nor a key that makes a valid MQTT topic name");
            return null;
        }
        // the record's own topic, or where it came from for the retained and deliveries topics
        String messageTopic = sourceTopic == null ? record.topic() : new String(sourceTopic, StandardCharsets.UTF_8);
        payload = mapper.codec(messageTopic).decode(payload);
        MessageProperties properties = payloadFormat == null && contentType == null && expiry == null
                && responseTopic == null && correlationData == null && user == null
                ? MessageProperties.NONE
                : new MessageProperties(payloadFormat, contentType, expiry, responseTopic, correlationData, user);
        return new OutboundMessage(topic, payload, qos < 0 ? defaultQos : qos, retain, clientId, properties,
                record.timestamp(), record.topic(), record.partition(), record.offset());
    }

    /** The default QoS of records written by other Kafka producers. */
    public int defaultQos() {
        return defaultQos;
    }

    private String topicOfForeignRecord(ConsumerRecord<byte[], byte[]> record) {
        byte[] key = record.key();
        if (key == null) {
            return null;
        }
        Template template = templates.get(record.topic());
        return template == null ? mqttTopicName(key) : template.apply(key);
    }

    private static List<Map.Entry<String, String>> addUserProperty(List<Map.Entry<String, String>> list,
            String name, byte[] value) {
        String v = mqttString(value, false);
        if (v == null || !isMqttString(name)) {
            return list; // not something an MQTT 5 user property can carry
        }
        if (list == null) {
            list = new ArrayList<>(4);
        }
        list.add(Map.entry(name, v));
        return list;
    }

    /** The single ASCII digit 0..max, or -1. */
    private static int digit(byte[] value, int max) {
        if (value.length != 1) {
            return -1;
        }
        int d = value[0] - '0';
        return d >= 0 && d <= max ? d : -1;
    }

    private static boolean isTrue(byte[] v) {
        return v.length == 4 && v[0] == 't' && v[1] == 'r' && v[2] == 'u' && v[3] == 'e';
    }

    /** A decimal Four Byte Integer, or null. */
    private static Long messageExpiry(byte[] value) {
        if (value.length == 0 || value.length > 10) {
            return null;
        }
        long n = 0;
        for (byte b : value) {
            int d = b - '0';
            if (d < 0 || d > 9) {
                return null;
            }
            n = n * 10 + d;
        }
        return n <= MAX_MESSAGE_EXPIRY ? n : null;
    }

    /** A valid MQTT topic name (non-empty, no wildcards), or null. */
    static String mqttTopicName(byte[] bytes) {
        return bytes.length == 0 ? null : mqttString(bytes, true);
    }

    /**
     * {@code bytes} as a string if they are an MQTT UTF-8 string (well-formed UTF-8, no U+0000, at most 65535
     * bytes; MQTT 1.5.4) and, for a topic name, contain no wildcard (MQTT 4.7.3); else null.
     */
    static String mqttString(byte[] bytes, boolean topicName) {
        return isMqttString(bytes, topicName) ? new String(bytes, StandardCharsets.UTF_8) : null;
    }

    static boolean isMqttString(byte[] b, boolean topicName) {
        int n = b.length;
        if (n > MAX_MQTT_STRING_BYTES) {
            return false;
        }
        int i = 0;
        while (i < n) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                if (c == 0 || topicName && (c == '+' || c == '#')) {
                    return false;
                }
                i++;
                continue;
            }
            // well-formed sequences as in RFC 3629 / Unicode table 3-7: no overlongs, no surrogates, <= U+10FFFF
            int continuation;
            int lo = 0x80;
            int hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                continuation = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                continuation = 2;
                if (c == 0xE0) {
                    lo = 0xA0;
                } else if (c == 0xED) {
                    hi = 0x9F;
                }
            } else if (c >= 0xF0 && c <= 0xF4) {
                continuation = 3;
                if (c == 0xF0) {
                    lo = 0x90;
                } else if (c == 0xF4) {
                    hi = 0x8F;
                }
            } else {
                return false;
            }
            if (i + continuation >= n) {
                return false; // truncated
            }
            int second = b[i + 1] & 0xFF;
            if (second < lo || second > hi) {
                return false;
            }
            for (int k = 2; k <= continuation; k++) {
                if ((b[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += continuation + 1;
        }
        return true;
    }

    /** A Java string (a header name) an MQTT UTF-8 string can carry: no U+0000, at most 65535 bytes. */
    private static boolean isMqttString(String s) {
        int length = s.length();
        if (s.indexOf('\0') >= 0) {
            return false;
        }
        // at most 3 bytes per char (a surrogate pair is 4 bytes for 2 chars)
        return length <= MAX_MQTT_STRING_BYTES / 3
                || s.getBytes(StandardCharsets.UTF_8).length <= MAX_MQTT_STRING_BYTES;
    }

    private void skipped(ConsumerRecord<byte[], byte[]> record, String reason) {
        SkipWarning warning = skipWarnings.computeIfAbsent(record.topic(), t -> new SkipWarning());
        long now = nanoClock.getAsLong();
        long more;
        synchronized (warning) { // skipped records are rare
            if (warning.warned && now - warning.lastWarnNanos < WARN_INTERVAL_NANOS) {
                warning.suppressed++;
                return;
            }
            warning.warned = true;
            warning.lastWarnNanos = now;
            more = warning.suppressed;
            warning.suppressed = 0;
        }
        LOG.warn("Skipping a record of Kafka topic '{}' (partition {}, offset {}): {}; {} more skipped in this topic"
                        + " since the last warning (warning at most once a minute per topic)",
                record.topic(), record.partition(), record.offset(), reason, more);
    }

    private static final class SkipWarning {
        boolean warned;
        long lastWarnNanos;
        long suppressed;
    }

    /** An MQTT topic template split at its {@code {key}} placeholders. */
    private static final class Template {
        private final String[] parts;
        private final int literalBytes;

        private Template(String[] parts, int literalBytes) {
            this.parts = parts;
            this.literalBytes = literalBytes;
        }

        static Template parse(MappingRule rule) {
            String template = rule.mqttTopicTemplate();
            List<String> parts = new ArrayList<>();
            int start = 0;
            int at;
            while ((at = template.indexOf(MappingRule.KEY_PLACEHOLDER, start)) >= 0) {
                parts.add(template.substring(start, at));
                start = at + MappingRule.KEY_PLACEHOLDER.length();
            }
            parts.add(template.substring(start));
            String literal = String.join("", parts);
            byte[] literalUtf8 = literal.getBytes(StandardCharsets.UTF_8);
            if (!isMqttString(literalUtf8, true) || parts.size() == 1 && literal.isEmpty()) {
                throw new IllegalArgumentException("invalid mqtt-topic '" + template + "' of the mapping rule for "
                        + rule.filter() + ": an MQTT topic name has no + or #, no U+0000, and at most 65535 bytes");
            }
            return new Template(parts.toArray(String[]::new), literalUtf8.length);
        }

        /** The topic name for a record with {@code key}, or null if it is not a valid one. */
        String apply(byte[] key) {
            if (!isMqttString(key, true)
                    || literalBytes + (long) key.length * (parts.length - 1) > MAX_MQTT_STRING_BYTES) {
                return null;
            }
            if (parts.length == 1) {
                return parts[0]; // a fixed topic
            }
            String k = new String(key, StandardCharsets.UTF_8);
            if (parts.length == 2) {
                String topic = parts[0] + k + parts[1];
                return topic.isEmpty() ? null : topic;
            }
            StringBuilder topic = new StringBuilder(parts[0]);
            for (int i = 1; i < parts.length; i++) {
                topic.append(k).append(parts[i]);
            }
            return topic.length() == 0 ? null : topic.toString();
        }
    }
}
