package io.tributary.bridge.publish;

import io.tributary.bridge.MessageProperties;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class MessageHeadersTest {

    private static final byte[] CORRELATION = {0, 1, (byte) 0xFF, 42};

    private static List<org.assertj.core.groups.Tuple> asTuples(Headers headers) {
        List<org.assertj.core.groups.Tuple> list = new ArrayList<>();
        for (Header h : headers) {
            list.add(tuple(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        }
        return list;
    }

    @Test
    void mqtt311PublishCarriesOnlyTheBasics() {
        InboundPublish publish = new InboundPublish("a/b", new byte[] {1}, 1, false, "c1", null, null, null);

        assertThat(asTuples(MessageHeaders.of(publish))).containsExactly(
                tuple("mqtt.topic", "a/b"),
                tuple("mqtt.qos", "1"),
                tuple("mqtt.retain", "false"),
                tuple("mqtt.client.id", "c1"));
    }

    @Test
    void everyHeader() {
        MessageProperties properties = new MessageProperties(1, "application/json", 3600L,
                "replies/c1", CORRELATION, List.of(Map.entry("site", "berlin")));
        InboundPublish publish = new InboundPublish("sensors/ü", new byte[0], 2, true, "c1", "alice",
                "CN=device-1,O=Acme", properties);

        Headers headers = MessageHeaders.of(publish);

        assertThat(asTuples(headers)).startsWith(
                tuple("mqtt.topic", "sensors/ü"),
                tuple("mqtt.qos", "2"),
                tuple("mqtt.retain", "true"),
                tuple("mqtt.client.id", "c1"),
                tuple("mqtt.username", "alice"),
                tuple("mqtt.cert.subject", "CN=device-1,O=Acme"),
                tuple("mqtt.content.type", "application/json"),
                tuple("mqtt.payload.format", "1"),
                tuple("mqtt.message.expiry", "3600"),
                tuple("mqtt.response.topic", "replies/c1"));
        assertThat(headers.lastHeader(MessageHeaders.CORRELATION_DATA).value()).containsExactly(CORRELATION);
        assertThat(headers.lastHeader("site").value()).asString(StandardCharsets.UTF_8).isEqualTo("berlin");
        assertThat(headers.toArray()).hasSize(12);
    }

    @Test
    void qosZeroAndPayloadFormatZero() {
        MessageProperties properties = new MessageProperties(0, null, 0L, null, null, List.of());
        Headers headers = MessageHeaders.of(new InboundPublish("t", new byte[0], 0, false, "c", null, null, properties));
        assertThat(asTuples(headers)).contains(
                tuple("mqtt.qos", "0"), tuple("mqtt.payload.format", "0"), tuple("mqtt.message.expiry", "0"));
    }

    @Test
    void absentPropertiesProduceNoHeader() {
        Headers headers = MessageHeaders.of(new InboundPublish("t", new byte[0], 0, false, "c", null, null,
                MessageProperties.NONE));
        for (String name : List.of(MessageHeaders.USERNAME, MessageHeaders.CERT_SUBJECT, MessageHeaders.CONTENT_TYPE,
                MessageHeaders.PAYLOAD_FORMAT, MessageHeaders.MESSAGE_EXPIRY, MessageHeaders.RESPONSE_TOPIC,
                MessageHeaders.CORRELATION_DATA)) {
            assertThat(headers.headers(name)).as(name).isEmpty();
        }
    }

    @Test
    void userPropertiesKeepOrderAndRepeats() {
        MessageProperties properties = new MessageProperties(null, null, null, null, null, List.of(
                Map.entry("b", "1"), Map.entry("a", "2"), Map.entry("b", "3"), Map.entry("", "")));
        Headers headers = MessageHeaders.of(new InboundPublish("t", new byte[0], 1, false, "c", null, null, properties));

        assertThat(asTuples(headers)).containsExactly(
                tuple("mqtt.topic", "t"), tuple("mqtt.qos", "1"), tuple("mqtt.retain", "false"),
                tuple("mqtt.client.id", "c"),
                tuple("b", "1"), tuple("a", "2"), tuple("b", "3"), tuple("", ""));
    }

    @Test
    void userPropertiesCannotForgeTributaryHeaders() {
        MessageProperties properties = new MessageProperties(null, null, null, null, null, List.of(
                Map.entry("mqtt.username", "admin"), Map.entry("mqtt.client.id", "other"),
                Map.entry("mqtt.user.x", "y"), Map.entry("mqttish", "ok")));
        Headers headers = MessageHeaders.of(new InboundPublish("t", new byte[0], 1, false, "c", null, null, properties));

        assertThat(headers.headers(MessageHeaders.USERNAME)).isEmpty();
        assertThat(headers.headers(MessageHeaders.CLIENT_ID)).hasSize(1);
        assertThat(asTuples(headers)).endsWith(
                tuple("mqtt.user.mqtt.username", "admin"),
                tuple("mqtt.user.mqtt.client.id", "other"),
                tuple("mqtt.user.mqtt.user.x", "y"),
                tuple("mqttish", "ok"));
    }

    @Test
    void headerNamesMapBackToUserProperties() {
        for (String name : List.of("site", "mqtt.username", "mqtt.user.x", "")) {
            assertThat(MessageHeaders.userPropertyNameOf(MessageHeaders.headerNameOf(name))).isEqualTo(name);
        }
        assertThat(MessageHeaders.userPropertyNameOf(MessageHeaders.CLIENT_ID)).isNull();
        assertThat(MessageHeaders.userPropertyNameOf(MessageHeaders.CORRELATION_DATA)).isNull();
    }

    @Test
    void sizeCountsNamesAndValues() {
        Headers headers = MessageHeaders.of(new InboundPublish("t", new byte[0], 1, false, "c", null, null, null));
        // mqtt.topic t, mqtt.qos 1, mqtt.retain false, mqtt.client.id c
        assertThat(MessageHeaders.sizeOf(headers)).isEqualTo(10 + 1 + 8 + 1 + 11 + 5 + 14 + 1);
    }
}
