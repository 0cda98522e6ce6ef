package io.tributary.mqtt.protocol;

import io.tributary.bridge.MessageProperties;

import static io.tributary.mqtt.protocol.Packets.bytes;
import static io.tributary.mqtt.protocol.Packets.byteProperty;
import static io.tributary.mqtt.protocol.Packets.connect311;
import static io.tributary.mqtt.protocol.Packets.connect5;
import static io.tributary.mqtt.protocol.Packets.intProperty2;
import static io.tributary.mqtt.protocol.Packets.intProperty4;
import static io.tributary.mqtt.protocol.Packets.packet;
import static io.tributary.mqtt.protocol.Packets.properties;
import static io.tributary.mqtt.protocol.Packets.pubRel;
import static io.tributary.mqtt.protocol.Packets.publish311;
import static io.tributary.mqtt.protocol.Packets.publish5;
import static io.tributary.mqtt.protocol.Packets.string;
import static io.tributary.mqtt.protocol.Packets.stringProperty;
import static io.tributary.mqtt.protocol.Packets.twoBytes;
import static io.tributary.mqtt.protocol.Packets.userProperty;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.mqtt.auth.Authenticator;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Packet flows after CONNECT: inbound QoS 0/1/2, acknowledgements only after Kafka, and violations. */
class ConnectionHandlerTest {

    private TestConnection connection = new TestConnection();

    @AfterEach
    void noLeaks() {
        connection.assertNothingLeaked();
    }

    private TestConnection connected311() {
        connection.send(connect311("device"));
        assertThat(connection.nextBytes()).containsExactly(0x20, 0x02, 0x00, 0x00);
        return connection;
    }

    private TestConnection connected5() {
        connection.send(connect5("device"));
        assertThat(connection.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
        return connection;
    }

    private static byte disconnectReason(MqttMessage message) {
        assertThat(message.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
        return ((MqttReasonCodeAndPropertiesVariableHeader) message.variableHeader()).reasonCode();
    }

    private static byte replyReason(MqttMessage message) {
        return ((MqttPubReplyMessageVariableHeader) message.variableHeader()).reasonCode();
    }

    private void assertDisconnectedWith(int reasonCode) {
        assertThat(disconnectReason(connection.next())).isEqualTo((byte) reasonCode);
        assertThat(connection.isOpen()).isFalse();
    }

    private void assertClosedSilently() {
        assertThat(connection.nextBytes()).isNull();
        assertThat(connection.isOpen()).isFalse();
    }

    // ------------------------------------------------------------ QoS flows

    @Test
    void pingReqIsAnsweredWithPingResp() {
        connected311().send(Packets.PINGREQ);
        assertThat(connection.nextBytes()).containsExactly(0xD0, 0x00);
    }

    @Test
    void qos0IsHandedToKafkaWithoutReply() {
        connected311().send(publish311(0, false, 0, "sensors/t1", "21.5"));
        assertThat(connection.publisher.messages()).singleElement().satisfies(m -> {
            assertThat(m.topic()).isEqualTo("sensors/t1");
            assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("21.5");
            assertThat(m.qos()).isZero();
            assertThat(m.clientId()).isEqualTo("device");
            assertThat(m.username()).as("unverified names are not identities").isNull();
        });
        assertThat(connection.nextBytes()).isNull();
    }

    @Test
    void pubAckIsWrittenOnlyAfterKafkaAcknowledged() {
        connected311().send(publish311(1, false, 7, "a/b", "x"));
        assertThat(connection.publisher.published).hasSize(1);
        assertThat(connection.nextBytes()).as("no PUBACK before Kafka").isNull();
        connection.publisher.acknowledgeAll();
        connection.runTasks();
        assertThat(connection.nextBytes()).containsExactly(0x40, 0x02, 0x00, 0x07);
    }

    @Test
    void acknowledgementsOfOneBatchAreAllWritten() {
        connected311();
        for (int id = 1; id <= 5; id++) {
            connection.send(publish311(1, false, id, "a/b", "m" + id));
        }
        connection.publisher.acknowledgeAll();
        connection.runTasks();
        for (int id = 1; id <= 5; id++) {
            assertThat(connection.nextBytes()).containsExactly(0x40, 0x02, 0x00, id);
        }
    }

    @Test
    void qos2IsProducedOnceAlthoughTheClientRetransmits() {
        connected311().send(publish311(2, false, 9, "a/b", "once"));
        connection.send(publish311(2, true, 9, "a/b", "once")); // DUP while Kafka has it in flight
        assertThat(connection.nextBytes()).as("no PUBREC before Kafka").isNull();
        connection.publisher.acknowledgeAll();
        connection.runTasks();
        assertThat(connection.nextBytes()).containsExactly(0x50, 0x02, 0x00, 0x09);
        connection.send(publish311(2, true, 9, "a/b", "once")); // PUBREC lost, client sends again
        assertThat(connection.nextBytes()).containsExactly(0x50, 0x02, 0x00, 0x09);
        assertThat(connection.publisher.published).as("MQTT-4.3.3-9: one record").hasSize(1);
        connection.send(pubRel(9));
        assertThat(connection.nextBytes()).containsExactly(0x70, 0x02, 0x00, 0x09);
        // after PUBREL the id is free again: a new message with it is produced
        connection.send(publish311(2, false, 9, "a/b", "second"));
        assertThat(connection.publisher.published).hasSize(2);
    }

    @Test
    void pubRelForAnUnknownIdIsCompletedWithPacketIdentifierNotFound() {
        connected5().send(pubRel(4));
        MqttMessage pubComp = connection.next();
        assertThat(pubComp.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBCOMP);
        assertThat(replyReason(pubComp)).isEqualTo((byte) 0x92);
    }

    @Test
    void pubRelBeforePubRecIsAProtocolError() {
        connected5().send(publish5(2, false, 3, "a", properties(), "x"), pubRel(3));
        assertDisconnectedWith(0x82);
    }

    // ------------------------------------------------------------ Kafka failures

    @Test
    void kafkaUnreachableClosesWithoutAcknowledging() {
        connected5().send(publish5(1, false, 1, "a", properties(), "x"));
        connection.publisher.fail(0, true);
        connection.runTasks();
        assertDisconnectedWith(0x89); // Server busy; the client retries after reconnecting
    }

    @Test
    void kafkaUnreachableClosesMqtt311WithoutAcknowledging() {
        connected311().send(publish311(1, false, 1, "a", "x"));
        connection.publisher.fail(0, true);
        connection.runTasks();
        assertClosedSilently();
    }

    @Test
    void messageKafkaRefusesIsRejectedInMqtt5() {
        connected5().send(publish5(1, false, 1, "a", properties(), "x"));
        connection.publisher.fail(0, false);
        connection.runTasks();
        MqttMessage pubAck = connection.next();
        assertThat(pubAck.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        assertThat(replyReason(pubAck)).isEqualTo((byte) 0x80);
        assertThat(connection.isOpen()).isTrue();
    }

    // ------------------------------------------------------------ back-pressure

    @Test
    void readingPausesWhileKafkaIsSaturatedAndResumes() {
        connected311();
        connection.publisher.saturated = true;
        connection.send(publish311(1, false, 1, "a", "x"));
        assertThat(connection.channel.config().isAutoRead()).isFalse();
        connection.publisher.relieve();
        connection.runTasks();
        assertThat(connection.channel.config().isAutoRead()).isTrue();
    }

    @Test
    void readingPausesAtTheInflightLimitPerConnection() {
        ProtocolSettings d = ProtocolSettings.defaults();
        connection = new TestConnection(new ProtocolSettings(d.maxPacketSize(), d.maxClientIdLength(),
                d.connectTimeout(), 0, d.receiveMaximum(), d.topicAliasMaximum(), 2, d.maxQueuedMessages(), d.maxQueuedBytes(),
                d.maxSessionExpirySeconds(), d.sessionCheckpointInterval()), Authenticator.allowAll());
        connected311().send(publish311(1, false, 1, "a", "x"));
        assertThat(connection.channel.config().isAutoRead()).isTrue();
        connection.send(publish311(1, false, 2, "a", "x"));
        assertThat(connection.channel.config().isAutoRead()).isFalse();
        connection.publisher.acknowledgeAll();
        connection.runTasks();
        assertThat(connection.channel.config().isAutoRead()).isTrue();
    }

    @Test
    void keepAliveDoesNotExpireWhileReadingIsPaused() {
        connection.send(connect311(Packets.CLEAN, 2, "c"));
        connection.nextBytes();
        connection.publisher.saturated = true;
        connection.send(publish311(1, false, 1, "a", "x"));
        connection.advance(10_000);
        assertThat(connection.isOpen()).isTrue();
    }

    // ------------------------------------------------------------ MQTT 5 properties

    @Test
    void mqtt5PropertiesArePassedThrough() {
        byte[] props = properties(
                byteProperty(0x01, 1),
                intProperty4(0x02, 120),
                stringProperty(0x03, "application/json"),
                stringProperty(0x08, "reply/here"),
                Packets.concat(bytes(0x09), Packets.binary(new byte[] {1, 2, 3})),
                userProperty("trace", "abc"),
                userProperty("trace", "def"));
        connected5().send(publish5(1, false, 1, "a/b", props, "{}"));
        MessageProperties p = connection.publisher.messages().get(0).properties();
        assertThat(p.payloadFormat()).isEqualTo(1);
        assertThat(p.messageExpirySeconds()).isEqualTo(120L);
        assertThat(p.contentType()).isEqualTo("application/json");
        assertThat(p.responseTopic()).isEqualTo("reply/here");
        assertThat(p.correlationData()).containsExactly(1, 2, 3);
        assertThat(p.userProperties()).containsExactly(Map.entry("trace", "abc"), Map.entry("trace", "def"));
    }

    @Test
    void topicAliasIsSetThenUsed() {
        connected5().send(
                publish5(0, false, 0, "long/topic/name", properties(intProperty2(0x23, 1)), "first"),
                publish5(0, false, 0, "", properties(intProperty2(0x23, 1)), "second"));
        assertThat(connection.publisher.messages()).extracting(InboundPublish::topic)
                .containsExactly("long/topic/name", "long/topic/name");
        assertThat(connection.isOpen()).isTrue();
    }

    @Test
    void topicAliasAboveTheMaximumIsInvalid() {
        // MQTT-3.3.2-9
        connected5().send(publish5(0, false, 0, "t", properties(intProperty2(0x23, 65)), "x"));
        assertDisconnectedWith(0x94);
    }

    @Test
    void topicAliasZeroIsInvalid() {
        // MQTT-3.3.2-8
        connected5().send(publish5(0, false, 0, "t", properties(intProperty2(0x23, 0)), "x"));
        assertDisconnectedWith(0x94);
    }

    @Test
    void unknownTopicAliasIsAProtocolError() {
        connected5().send(publish5(0, false, 0, "", properties(intProperty2(0x23, 3)), "x"));
        assertDisconnectedWith(0x82);
    }

    @Test
    void subscriptionIdentifierFromAClientIsAProtocolError() {
        // MQTT-3.3.4-6
        connected5().send(publish5(0, false, 0, "t", properties(bytes(0x0B, 5)), "x"));
        assertDisconnectedWith(0x82);
    }

    @Test
    void receiveMaximumExceededDisconnects() {
        ProtocolSettings d = ProtocolSettings.defaults();
        connection = new TestConnection(new ProtocolSettings(d.maxPacketSize(), d.maxClientIdLength(),
                d.connectTimeout(), 0, 2, d.topicAliasMaximum(), 100, d.maxQueuedMessages(), d.maxQueuedBytes(),
                d.maxSessionExpirySeconds(), d.sessionCheckpointInterval()), Authenticator.allowAll());
        connected5().send(
                publish5(1, false, 1, "a", properties(), "x"),
                publish5(1, false, 2, "a", properties(), "x"),
                publish5(1, false, 3, "a", properties(), "x"));
        assertDisconnectedWith(0x93);
        assertThat(connection.publisher.published).hasSize(2);
    }

    // ------------------------------------------------------------ invalid input

    @Test
    void wildcardInTopicNameIsTopicNameInvalid() {
        // MQTT-3.3.2-2
        connected5().send(publish5(0, false, 0, "a/+/c", properties(), "x"));
        assertDisconnectedWith(0x90);
        assertThat(connection.publisher.published).isEmpty();
    }

    @Test
    void wildcardInTopicNameClosesMqtt311() {
        connected311().send(publish311(1, false, 1, "a/#", "x"));
        assertClosedSilently();
    }

    @Test
    void emptyTopicWithoutAliasIsAProtocolError() {
        connected5().send(publish5(0, false, 0, "", properties(), "x"));
        assertDisconnectedWith(0x82);
    }

    @Test
    void emptyTopicClosesMqtt311() {
        // MQTT-4.7.3-1
        connected311().send(publish311(0, false, 0, "", "x"));
        assertClosedSilently();
    }

    @Test
    void packetOverTheMaximumSizeIsPacketTooLarge() {
        ProtocolSettings d = ProtocolSettings.defaults();
        connection = new TestConnection(new ProtocolSettings(1024, d.maxClientIdLength(), d.connectTimeout(), 0,
                d.receiveMaximum(), d.topicAliasMaximum(), d.maxInflightPerConnection(), d.maxQueuedMessages(), d.maxQueuedBytes(),
                d.maxSessionExpirySeconds(), d.sessionCheckpointInterval()), Authenticator.allowAll());
        connected5().send(publish5(0, false, 0, "big", properties(), "x".repeat(2000)));
        assertDisconnectedWith(0x95);
        assertThat(connection.publisher.published).isEmpty();
    }

    @Test
    void qos3IsMalformed() {
        // MQTT-3.3.1-4
        connected5().send(packet(0x36, string("a"), twoBytes(1), properties()));
        assertDisconnectedWith(0x81);
    }

    @Test
    void dupOnQos0IsMalformed() {
        // MQTT-3.3.1-2
        connected5().send(publish5(0, true, 0, "a", properties(), "x"));
        assertDisconnectedWith(0x81);
        assertThat(connection.publisher.published).isEmpty();
    }

    @Test
    void remainingLengthOfFiveBytesIsMalformed() {
        connected5().send(bytes(0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01));
        assertDisconnectedWith(0x81);
    }

    @Test
    void secondConnectIsAProtocolError() {
        // MQTT-3.1.0-2
        connected5().send(connect5("again"));
        assertDisconnectedWith(0x82);
    }

    @Test
    void secondConnectClosesMqtt311() {
        connected311().send(connect311("again"));
        assertClosedSilently();
    }

    @Test
    void serverOnlyPacketFromAClientIsAProtocolError() {
        connected5().send(bytes(0x20, 0x03, 0x00, 0x00, 0x00)); // CONNACK
        assertDisconnectedWith(0x82);
    }

    @Test
    void disconnectClosesTheConnection() {
        connected311().send(Packets.DISCONNECT);
        assertClosedSilently();
    }

    @Test
    void raisingSessionExpiryOnDisconnectIsAProtocolError() {
        // MQTT-3.14.2-2
        connected5().send(packet(0xE0, bytes(0x00), properties(intProperty4(0x11, 60))));
        assertDisconnectedWith(0x82);
    }

    // ------------------------------------------------------------ will

    private void connectWithWill(boolean v5) {
        byte[] willPayload = "gone".getBytes(StandardCharsets.UTF_8);
        if (v5) {
            connection.send(connect5(Packets.CLEAN | Packets.WILL | 0x08 | Packets.WILL_RETAIN, 60, properties(),
                    "dev", properties(stringProperty(0x03, "text/plain")), string("status/dev"),
                    Packets.binary(willPayload)));
            connection.next();
        } else {
            connection.send(Packets.connect311(Packets.CLEAN | Packets.WILL | 0x08, 60, "dev", string("status/dev"),
                    Packets.binary(willPayload)));
            connection.nextBytes();
        }
    }

    @Test
    void willIsPublishedWhenTheNetworkConnectionIsLost() {
        connectWithWill(false);
        connection.channel.close(); // as if the TCP connection broke
        assertThat(connection.publisher.messages()).singleElement().satisfies(will -> {
            assertThat(will.topic()).isEqualTo("status/dev");
            assertThat(new String(will.payload(), StandardCharsets.UTF_8)).isEqualTo("gone");
            assertThat(will.qos()).isEqualTo(1);
            assertThat(will.clientId()).isEqualTo("dev");
        });
    }

    @Test
    void willIsPublishedAfterAKeepAliveTimeout() {
        connection.send(Packets.connect311(Packets.CLEAN | Packets.WILL, 1, "dev", string("status/dev"),
                Packets.binary(new byte[] {1})));
        connection.nextBytes();
        connection.advance(1_600);
        assertThat(connection.isOpen()).isFalse();
        assertThat(connection.publisher.messages()).extracting(InboundPublish::topic).containsExactly("status/dev");
    }

    @Test
    void normalDisconnectDiscardsTheWill() {
        connectWithWill(false);
        connection.send(Packets.DISCONNECT);
        assertThat(connection.isOpen()).isFalse();
        assertThat(connection.publisher.published).isEmpty();
    }

    @Test
    void disconnectWithWillMessagePublishesIt() {
        connectWithWill(true);
        connection.send(packet(0xE0, bytes(0x04), properties()));
        assertThat(connection.publisher.messages()).singleElement().satisfies(will -> {
            assertThat(will.retain()).isTrue();
            assertThat(will.properties().contentType()).isEqualTo("text/plain");
        });
    }

    @Test
    void protocolNameAndLevelMustMatch() {
        connection.send(packet(0x10, string("MQTT"), bytes(3, Packets.CLEAN), twoBytes(60), string("c")));
        assertThat(connection.nextBytes()).containsExactly(0x20, 0x02, 0x00, 0x01);
        assertThat(connection.isOpen()).isFalse();
    }
}
