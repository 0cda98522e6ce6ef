package io.tributary.bridge.delivery;

import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.mapping.KeyStrategy;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.mapping.TopicMapper;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.bridge.publish.MessageHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageRecordsTest {

    private static final TopicMapper MAPPER = new TopicMapper(List.of(
            rule("devices/+/commands", "device-commands", "level:1", "devices/{key}/commands"),
            rule("devices/+/telemetry", "device-commands", "level:1", "ignored/{key}"), // not the first rule
            rule("plain/#", "plain", "topic", null),
            rule("fixed/#", "fixed", "topic", "fixed/topic"),
            rule("twice/#", "twice", "topic", "{key}/and/{key}"),
            rule("default/#", "mqtt.messages", "topic", "never/{key}")), "mqtt.messages");

    private final MessageRecords records = new MessageRecords(MAPPER, 1);

    private static MappingRule rule(String filter, String kafkaTopic, String key, String template) {
        return new MappingRule(TopicFilter.parse(filter), kafkaTopic, KeyStrategy.parse(key), template);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ConsumerRecord<byte[], byte[]> record(String topic, byte[] key, byte[] value, Headers headers) {
        return new ConsumerRecord<>(topic, 3, 42L, 1_700_000_000_000L, TimestampType.CREATE_TIME,
                key == null ? -1 : key.length, value == null ? -1 : value.length, key, value, headers,
                Optional.empty());
    }

    private static ConsumerRecord<byte[], byte[]> foreign(String topic, String key, String... headerPairs) {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.add(headerPairs[i], utf8(headerPairs[i + 1]));
        }
        return record(topic, key == null ? null : utf8(key), utf8("{\"cmd\":\"reboot\"}"), headers);
    }

    private static ConsumerRecord<byte[], byte[]> withTopicHeader(byte[] topic) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(MessageHeaders.TOPIC, topic);
        return record("mqtt.messages", utf8("whatever/key"), utf8("x"), headers);
    }

    @Test
    void roundTripsWhatThePublisherWrites() {
        byte[] correlation = {0, 1, (byte) 0xFF};
        MessageProperties properties = new MessageProperties(1, "application/json", 3600L, "replies/c1",
                correlation, List.of(
                        Map.entry("b", "1"), Map.entry("a", "2"), Map.entry("b", "3"),
                        Map.entry("mqtt.username", "admin"), Map.entry("mqtt.user.x", "y"), Map.entry("", "")));
        byte[] payload = utf8("21.5");
        InboundPublish publish = new InboundPublish("sensors/ü/temp", payload, 2, true, "c1", "alice",
                "CN=device-1", properties);

        OutboundMessage m = records.toMessage(record("mqtt.messages", utf8("sensors/ü/temp"), payload,
                MessageHeaders.of(publish)));

        assertThat(m.topic()).isEqualTo("sensors/ü/temp");
        assertThat(m.payload()).isSameAs(payload);
        assertThat(m.qos()).isEqualTo(2);
        assertThat(m.retain()).isTrue();
        assertThat(m.publisherClientId()).isEqualTo("c1");
        assertThat(m.timestampMs()).isEqualTo(1_700_000_000_000L);
        assertThat(m.kafkaTopic()).isEqualTo("mqtt.messages");
        assertThat(m.partition()).isEqualTo(3);
        assertThat(m.offset()).isEqualTo(42L);
        MessageProperties p = m.properties();
        assertThat(p.payloadFormat()).isEqualTo(1);
        assertThat(p.contentType()).isEqualTo("application/json");
        assertThat(p.messageExpirySeconds()).isEqualTo(3600L);
        assertThat(p.responseTopic()).isEqualTo("replies/c1");
        assertThat(p.correlationData()).containsExactly(correlation);
        // username and certificate subject are the broker's, not user properties
        assertThat(p.userProperties()).containsExactlyElementsOf(properties.userProperties());
    }

    @Test
    void roundTripsAnMqtt311PublishWithoutProperties() {
        for (int qos = 0; qos <= 2; qos++) {
            InboundPublish publish = new InboundPublish("a/b", new byte[0], qos, false, "c", null, null, null);
            OutboundMessage m = records.toMessage(record("mqtt.messages", utf8("a/b"), new byte[0],
                    MessageHeaders.of(publish)));
            assertThat(m.topic()).isEqualTo("a/b");
            assertThat(m.qos()).isEqualTo(qos);
            assertThat(m.retain()).isFalse();
            assertThat(m.properties()).isSameAs(MessageProperties.NONE);
        }
    }

    @Test
    void theTopicHeaderWinsOverKeyAndTemplate() {
        InboundPublish publish = new InboundPublish("devices/d1/commands", utf8("x"), 0, false, "c", null, null,
                null);
        // key strategy level:1 wrote key "d1"; the header still names the topic
        OutboundMessage m = records.toMessage(record("device-commands", utf8("d1"), utf8("x"),
                MessageHeaders.of(publish)));
        assertThat(m.topic()).isEqualTo("devices/d1/commands");
        assertThat(m.qos()).isZero();
    }

    @Test
    void recordsOfOtherProducersTakeTheTemplateOfTheFirstRuleForTheirTopic() {
        OutboundMessage m = records.toMessage(foreign("device-commands", "dev-7"));

        assertThat(m.topic()).isEqualTo("devices/dev-7/commands");
        assertThat(m.qos()).isEqualTo(1);
        assertThat(m.retain()).isFalse();
        assertThat(m.publisherClientId()).isNull();
        assertThat(m.properties()).isSameAs(MessageProperties.NONE);
        assertThat(m.kafkaTopic()).isEqualTo("device-commands");
    }

    @Test
    void templatesWithoutOrWithRepeatedPlaceholders() {
        assertThat(records.toMessage(foreign("fixed", "k")).topic()).isEqualTo("fixed/topic");
        assertThat(records.toMessage(foreign("fixed", "")).topic()).isEqualTo("fixed/topic");
        assertThat(records.toMessage(foreign("twice", "k")).topic()).isEqualTo("k/and/k");
        // a key may span levels: the template only says where it goes
        assertThat(records.toMessage(foreign("device-commands", "site/7")).topic())
                .isEqualTo("devices/site/7/commands");
        assertThat(records.toMessage(foreign("device-commands", "")).topic()).isEqualTo("devices//commands");
    }

    @Test
    void withoutATemplateOrOnTheDefaultTopicTheKeyIsTheTopic() {
        assertThat(records.toMessage(foreign("plain", "a/b")).topic()).isEqualTo("a/b");
        assertThat(records.toMessage(foreign("mqtt.messages", "home/temp")).topic()).isEqualTo("home/temp");
        assertThat(records.toMessage(foreign("unmapped", "x/y")).topic()).isEqualTo("x/y");
    }

    @Test
    void otherProducersMayUseTheMqttHeaders() {
        OutboundMessage m = records.toMessage(foreign("device-commands", "dev-7",
                "mqtt.topic", "override/topic", "mqtt.qos", "0", "mqtt.retain", "true",
                "mqtt.content.type", "application/json", "mqtt.message.expiry", "4294967295"));

        assertThat(m.topic()).isEqualTo("override/topic");
        assertThat(m.qos()).isZero();
        assertThat(m.retain()).isTrue();
        assertThat(m.properties().contentType()).isEqualTo("application/json");
        assertThat(m.properties().messageExpirySeconds()).isEqualTo(4_294_967_295L);
    }

    @Test
    void plainHeadersBecomeUserPropertiesInOrderAndOtherMqttHeadersDoNot() {
        OutboundMessage m = records.toMessage(foreign("device-commands", "dev-7",
                "trace-id", "abc", "mqtt.username", "mallory", "mqtt.cert.subject", "CN=x", "mqtt.future", "?",
                "mqtt.user.mqtt.qos", "escaped", "trace-id", "def", "mqttish", "ok"));

        assertThat(m.publisherClientId()).isNull();
        assertThat(m.qos()).isEqualTo(1);
        assertThat(m.properties().userProperties()).containsExactly(
                Map.entry("trace-id", "abc"), Map.entry("mqtt.qos", "escaped"), Map.entry("trace-id", "def"),
                Map.entry("mqttish", "ok"));
    }

    @Test
    void headersThatAnMqttStringCannotCarryAreDropped() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("binary", new byte[] {(byte) 0xC3, 0x28}); // invalid UTF-8
        headers.add("nul", new byte[] {'a', 0, 'b'});
        headers.add("null-value", null);
        headers.add("ok", utf8("1"));
        OutboundMessage m = records.toMessage(record("plain", utf8("t"), utf8("x"), headers));
        assertThat(m.properties().userProperties()).containsExactly(Map.entry("ok", "1"));
    }

    @Test
    void malformedHeaderValuesCountAsAbsent() {
        OutboundMessage m = records.toMessage(foreign("device-commands", "dev-7",
                "mqtt.qos", "7", "mqtt.retain", "TRUE", "mqtt.payload.format", "2", "mqtt.message.expiry", "abc",
                "mqtt.response.topic", "replies/+", "mqtt.content.type", "a\u0000b"));

        assertThat(m.topic()).isEqualTo("devices/dev-7/commands");
        assertThat(m.qos()).isEqualTo(1);
        assertThat(m.retain()).isFalse();
        assertThat(m.properties()).isSameAs(MessageProperties.NONE);

        for (String expiry : List.of("", "-1", "4294967296", "12345678901", " 1", "1.5")) {
            OutboundMessage e = records.toMessage(foreign("plain", "t", "mqtt.message.expiry", expiry));
            assertThat(e.properties().messageExpirySeconds()).as(expiry).isNull();
        }
        for (String qos : List.of("", "3", "-1", "01", "1 ", "x")) {
            assertThat(records.toMessage(foreign("plain", "t", "mqtt.qos", qos)).qos()).as(qos).isEqualTo(1);
        }
        assertThat(records.toMessage(foreign("plain", "t", "mqtt.payload.format", "0")).properties().payloadFormat())
                .isZero();
    }

    @Test
    void defaultQosIsConfigurable() {
        assertThat(new MessageRecords(MAPPER, 0).toMessage(foreign("plain", "t")).qos()).isZero();
        assertThat(new MessageRecords(MAPPER, 2).toMessage(foreign("plain", "t")).qos()).isEqualTo(2);
        assertThatThrownBy(() -> new MessageRecords(MAPPER, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recordsWithoutAValidTopicNameAreSkipped() {
        assertThat(records.toMessage(foreign("plain", null))).isNull();
        assertThat(records.toMessage(foreign("device-commands", null))).isNull();
        for (String key : List.of("", "a/+", "a/#", "#", "a\u0000b")) {
            assertThat(records.toMessage(foreign("plain", key))).as(key).isNull();
        }
        for (String key : List.of("+", "#", "a\u0000")) {
            assertThat(records.toMessage(foreign("device-commands", key))).as(key).isNull();
            assertThat(records.toMessage(foreign("fixed", key))).as(key).isNull();
        }
        assertThat(records.toMessage(foreign("twice", "x".repeat(40_000)))).isNull(); // over 65535 bytes
        assertThat(records.toMessage(record("plain", new byte[] {(byte) 0xFF}, utf8("x"), new RecordHeaders())))
                .isNull();
        // an invalid mqtt.topic header is not overridden by a valid key
        assertThat(records.toMessage(withTopicHeader(utf8("")))).isNull();
        assertThat(records.toMessage(withTopicHeader(utf8("a/+/c")))).isNull();
    }

    @Test
    void tombstonesAreSkipped() {
        assertThat(records.toMessage(record("plain", utf8("t"), null, new RecordHeaders()))).isNull();
    }

    @Test
    void topicNamesAreCheckedAsMqttUtf8Strings() {
        List<byte[]> valid = List.of(utf8("a"), utf8("/"), utf8("ü/€/𝄞"), utf8("$SYS/x"), utf8(" "),
                new byte[] {(byte) 0xED, (byte) 0x9F, (byte) 0xBF}, // U+D7FF
                new byte[] {(byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}); // U+10FFFF
        for (byte[] bytes : valid) {
            assertThat(MessageRecords.mqttTopicName(bytes)).isEqualTo(new String(bytes, StandardCharsets.UTF_8));
        }
        List<byte[]> invalid = List.of(
                new byte[0],
                new byte[] {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
                new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // surrogate U+D800
                new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
                new byte[] {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0x80}, // overlong
                new byte[] {'a', (byte) 0xE2, (byte) 0x82}, // truncated
                new byte[] {(byte) 0x80}, // lone continuation
                new byte[] {(byte) 0xC3, 'a'},
                new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80});
        for (byte[] bytes : invalid) {
            assertThat(MessageRecords.mqttTopicName(bytes)).isNull();
        }
        assertThat(MessageRecords.mqttTopicName(utf8("x".repeat(65_535)))).hasSize(65_535);
        assertThat(MessageRecords.mqttTopicName(utf8("x".repeat(65_536)))).isNull();
    }

    @Test
    void aTemplateThatCanNeverGiveATopicNameIsRefused() {
        for (String template : List.of("", "devices/+/{key}", "#", "a\u0000{key}")) {
            TopicMapper mapper = new TopicMapper(List.of(rule("a/#", "t", "topic", template)), "mqtt.messages");
            assertThatThrownBy(() -> new MessageRecords(mapper, 1))
                    .as(template)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a/#");
        }
    }

    @Test
    void skippedRecordsAreReportedWithoutFailingOthers() {
        // many skipped records in a row: warned about once, and conversion goes on
        for (int i = 0; i < 1000; i++) {
            assertThat(records.toMessage(foreign("plain", null))).isNull();
        }
        assertThat(records.toMessage(foreign("plain", "ok")).topic()).isEqualTo("ok");
    }
}
