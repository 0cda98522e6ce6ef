package io.tributary.mqtt.protocol;

import static io.tributary.mqtt.protocol.Packets.connect311;
import static io.tributary.mqtt.protocol.Packets.connect5;
import static io.tributary.mqtt.protocol.Packets.intProperty2;
import static io.tributary.mqtt.protocol.Packets.properties;
import static io.tributary.mqtt.protocol.Packets.pubAck;
import static io.tributary.mqtt.protocol.Packets.subscribe311;
import static io.tributary.mqtt.protocol.Packets.subscribe5;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.delivery.OutboundMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retained messages sent to new subscriptions (MQTT 3.3.1.3, 3.8.3.1 Retain Handling). */
class RetainedDeliveryTest {

    private final TestConnection connection = new TestConnection();
    private long offset;

    @AfterEach
    void noLeaks() {
        connection.assertNothingLeaked();
    }

    private void retain(String topic, String payload, int qos) {
        connection.retained.put(topic, new OutboundMessage(topic, payload.getBytes(StandardCharsets.UTF_8), qos,
                true, "publisher", MessageProperties.NONE, System.currentTimeMillis(), "mqtt.messages", 0, offset++));
    }

    /** The PUBLISH packets sent until nothing more is written. */
    private List<MqttPublishMessage> publishes() {
        List<MqttPublishMessage> publishes = new ArrayList<>();
        MqttMessage next;
        while ((next = connection.next()) != null) {
            assertThat(next.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBLISH);
            publishes.add((MqttPublishMessage) next);
        }
        return publishes;
    }

    private static String text(MqttPublishMessage publish) {
        return publish.variableHeader().topicName() + "=" + ByteBufUtil.getBytes(publish.payload()).length;
    }

    private static List<String> topics(List<MqttPublishMessage> publishes) {
        return publishes.stream().map(p -> p.variableHeader().topicName()).toList();
    }

    @Test
    void aNewSubscriptionGetsTheMatchingRetainedMessagesWithRetainSetAfterSubAck() {
        retain("home/kitchen/temp", "21", 1);
        retain("home/hall/temp", "19", 2);
        retain("home/hall/light", "on", 0);
        retain("$SYS/uptime", "5", 0);
        connection.send(connect311("sub"));
        connection.nextBytes();
        connection.send(subscribe311(1, "home/+/temp", 1, "#", 0));
        assertThat(connection.next().fixedHeader().messageType()).as("SUBACK first").isEqualTo(MqttMessageType.SUBACK);
        List<MqttPublishMessage> sent = publishes();
        assertThat(topics(sent)).containsExactlyInAnyOrder("home/kitchen/temp", "home/hall/temp",
                "home/kitchen/temp", "home/hall/temp", "home/hall/light"); // once per matching subscription
        assertThat(sent).allSatisfy(p -> assertThat(p.fixedHeader().isRetain()).isTrue());
        assertThat(sent.stream().filter(p -> p.variableHeader().topicName().equals("home/hall/temp"))
                .map(p -> p.fixedHeader().qosLevel().value()).toList())
                .as("the lower of the message's and the subscription's QoS").containsExactlyInAnyOrder(1, 0);
        assertThat(connection.metrics.retainedSent.sum()).isEqualTo(5);
    }

    @Test
    void retainHandlingOneSendsOnlyForANewSubscriptionAndTwoNever() {
        retain("a", "x", 1);
        connection.send(connect5("sub"));
        connection.next();
        connection.send(subscribe5(1, properties(), "a", 0x11)); // QoS 1, Retain Handling 1
        connection.next();
        assertThat(topics(publishes())).containsExactly("a");
        connection.send(subscribe5(2, properties(), "a", 0x11)); // exists already
        connection.next();
        assertThat(publishes()).isEmpty();
        connection.send(subscribe5(3, properties(), "a", 0x21)); // Retain Handling 2
        connection.next();
        assertThat(publishes()).isEmpty();
        connection.send(subscribe5(4, properties(), "a", 0x01)); // Retain Handling 0: every time
        connection.next();
        assertThat(publishes()).hasSize(1);
    }

    @Test
    void aSharedSubscriptionGetsNoRetainedMessages() {
        retain("a", "x", 1);
        connection.send(connect5("sub"));
        connection.next();
        connection.send(subscribe5(1, properties(), "$share/g/a", 1));
        connection.runTasks();
        assertThat(connection.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
        assertThat(publishes()).isEmpty();
    }

    @Test
    void theSubscriptionIdentifierGoesWithTheRetainedMessage() {
        retain("a/b", "x", 1);
        connection.send(connect5("sub"));
        connection.next();
        connection.send(subscribe5(1, properties(Packets.bytes(0x0B, 42)), "a/#", 1));
        connection.next();
        MqttPublishMessage publish = publishes().get(0);
        List<? extends MqttProperties.MqttProperty> ids = publish.variableHeader().properties()
                .getProperties(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value());
        assertThat(ids).extracting(MqttProperties.MqttProperty::value).containsExactly(42);
    }

    @Test
    void aLargeRetainedSetArrivesWholeThroughTheWindowWithoutOverflowingTheQueue() {
        for (int i = 0; i < 3000; i++) {
            retain("fleet/device-" + i + "/state", "s" + i, 1);
        }
        connection.send(connect5(Packets.CLEAN, 60, properties(intProperty2(0x21, 10)), "sub")); // Receive Max 10
        connection.next();
        connection.send(subscribe5(1, properties(), "fleet/#", 1));
        connection.next();
        List<String> received = new ArrayList<>();
        while (received.size() < 3000) {
            List<MqttPublishMessage> window = publishes();
            assertThat(window).as("at most the client's Receive Maximum in flight").hasSizeBetween(1, 10);
            for (MqttPublishMessage publish : window) {
                received.add(text(publish));
                connection.send(pubAck(publish.variableHeader().packetId()));
            }
        }
        assertThat(received).doesNotHaveDuplicates().hasSize(3000);
        assertThat(connection.metrics.droppedQueueFull.sum()).isZero();
    }
}
