package io.tributary.mqtt.protocol;

import static io.tributary.mqtt.protocol.Packets.bytes;
import static io.tributary.mqtt.protocol.Packets.connect311;
import static io.tributary.mqtt.protocol.Packets.connect5;
import static io.tributary.mqtt.protocol.Packets.intProperty2;
import static io.tributary.mqtt.protocol.Packets.intProperty4;
import static io.tributary.mqtt.protocol.Packets.properties;
import static io.tributary.mqtt.protocol.Packets.pubAck;
import static io.tributary.mqtt.protocol.Packets.pubComp;
import static io.tributary.mqtt.protocol.Packets.pubRec;
import static io.tributary.mqtt.protocol.Packets.subscribe311;
import static io.tributary.mqtt.protocol.Packets.subscribe5;
import static io.tributary.mqtt.protocol.Packets.unsubscribe311;
import static io.tributary.mqtt.protocol.Packets.unsubscribe5;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.delivery.MessageReplay;
import io.tributary.bridge.delivery.PartitionId;
import io.tributary.mqtt.auth.Authenticator;
import io.tributary.mqtt.delivery.LocalRouter;
import io.tributary.mqtt.session.ClientRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SUBSCRIBE/UNSUBSCRIBE and delivery of messages read from Kafka to a connected client. */
class DeliveryTest {

    private TestConnection connection = new TestConnection();
    private static final PartitionId P0 = new PartitionId("mqtt.messages", 0);
    private long offset;

    @AfterEach
    void noLeaks() {
        connection.assertNothingLeaked();
    }

    private OutboundMessage message(String topic, String payload, int qos) {
        return message(topic, payload, qos, false, "publisher", MessageProperties.NONE, System.currentTimeMillis());
    }

    private OutboundMessage message(String topic, String payload, int qos, boolean retain, String publisher,
                                    MessageProperties properties, long timestamp) {
        return new OutboundMessage(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain, publisher,
                properties, timestamp, "mqtt.messages", 0, offset++);
    }

    /** What the node's feed does with a poll: route it, then the event loop runs the delivery tasks. */
    private void fromKafka(OutboundMessage... messages) {
        connection.router.onBatch(List.of(messages), Map.of());
        connection.runTasks();
    }

    private static MqttPublishMessage publish(MqttMessage message) {
        assertThat(message).isNotNull();
        assertThat(message.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBLISH);
        return (MqttPublishMessage) message;
    }

    private static String payload(MqttPublishMessage publish) {
        return new String(ByteBufUtil.getBytes(publish.payload()), StandardCharsets.UTF_8);
    }

    private static List<Integer> subAckCodes(MqttMessage message) {
        return ((MqttSubAckMessage) message).payload().reasonCodes();
    }

    private void connect311AndSubscribe(Object... filterAndOptions) {
        connection.send(connect311("sub"));
        connection.nextBytes();
        connection.send(subscribe311(1, filterAndOptions));
        connection.next();
    }

    private void connect5AndSubscribe(byte[] connectProperties, byte[] subscribeProperties,
                                      Object... filterAndOptions) {
        connection.send(connect5(Packets.CLEAN, 60, connectProperties, "sub"));
        connection.next();
        connection.send(subscribe5(1, subscribeProperties, filterAndOptions));
        connection.next();
    }

    // ------------------------------------------------------------ SUBSCRIBE / UNSUBSCRIBE

    @Test
    void subAckGrantsTheRequestedQosAndRefusesInvalidFilters() {
        connection.send(connect311("sub"));
        connection.nextBytes();
        connection.send(subscribe311(7, "a/+", 0, "b/#", 1, "c", 2, "d/#/e", 1));
        assertThat(connection.nextBytes()).containsExactly(0x90, 0x06, 0x00, 0x07, 0x00, 0x01, 0x02, 0x80);
        assertThat(connection.subscriptions.size()).isEqualTo(3);
    }

    @Test
    void mqtt5SubAckUsesReasonCodes() {
        connection.send(connect5("sub"));
        connection.next();
        connection.send(subscribe5(3, properties(), "a/#", 1, "x/#/y", 0, "$share/g/a", 1, "$share//a", 1,
                "$share/g+/a", 1, "$share/g", 1));
        assertThat(subAckCodes(connection.next())).containsExactly(1, 0x8F, 1, 0x8F, 0x8F, 0x8F);
    }

    @Test
    void subscribeWithoutFiltersIsAProtocolError() {
        connection.send(connect5("sub"));
        connection.next();
        connection.send(Packets.packet(0x82, Packets.twoBytes(1), properties()));
        assertThat(connection.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void reservedOptionBitsCloseMqtt311() {
        // MQTT-3.8.3-4
        connection.send(connect311("sub"));
        connection.nextBytes();
        connection.send(subscribe311(1, "a", 0x04));
        assertThat(connection.nextBytes()).isNull();
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void unsubscribeStopsDeliveryAndSaysWhatExisted() {
        connection.send(connect5("sub"));
        connection.next();
        connection.send(subscribe5(1, properties(), "a/b", 0));
        connection.next();
        connection.send(unsubscribe5(2, "a/b", "never"));
        MqttUnsubAckMessage unsubAck = (MqttUnsubAckMessage) connection.next();
        assertThat(unsubAck.payload().unsubscribeReasonCodes()).containsExactly((short) 0x00, (short) 0x11);
        fromKafka(message("a/b", "x", 0));
        assertThat(connection.next()).isNull();
        assertThat(connection.subscriptions.size()).isZero();
    }

    @Test
    void mqtt311UnsubAckHasNoReasonCodes() {
        connect311AndSubscribe("a/b", 0);
        connection.send(unsubscribe311(2, "a/b"));
        assertThat(connection.nextBytes()).containsExactly(0xB0, 0x02, 0x00, 0x02);
    }

    @Test
    void closingTheConnectionRemovesItsSubscriptions() {
        connect311AndSubscribe("a/b", 0, "c/#", 1);
        assertThat(connection.subscriptions.size()).isEqualTo(2);
        connection.channel.close();
        assertThat(connection.subscriptions.size()).isZero();
    }

    // ------------------------------------------------------------ delivery

    @Test
    void qos0MessageIsDeliveredWithoutRetainFlag() {
        connect311AndSubscribe("sensors/#", 2);
        fromKafka(message("sensors/t1", "21.5", 0, true, "p", MessageProperties.NONE, System.currentTimeMillis()));
        MqttPublishMessage publish = publish(connection.next());
        assertThat(publish.variableHeader().topicName()).isEqualTo("sensors/t1");
        assertThat(payload(publish)).isEqualTo("21.5");
        assertThat(publish.fixedHeader().qosLevel().value()).isZero();
        assertThat(publish.fixedHeader().isRetain()).as("MQTT-3.3.1-9").isFalse();
    }

    @Test
    void grantedQosIsTheMinimumOfPublishAndSubscription() {
        connect311AndSubscribe("a", 1);
        fromKafka(message("a", "two", 2), message("a", "zero", 0));
        MqttPublishMessage first = publish(connection.next());
        assertThat(first.fixedHeader().qosLevel().value()).isEqualTo(1);
        assertThat(first.variableHeader().packetId()).isEqualTo(1);
        assertThat(publish(connection.next()).fixedHeader().qosLevel().value()).isZero();
    }

    @Test
    void qos1DeliveriesRespectTheClientsReceiveMaximum() {
        connect5AndSubscribe(properties(intProperty2(0x21, 2)), properties(), "q", 1);
        fromKafka(message("q", "1", 1), message("q", "2", 1), message("q", "3", 1));
        assertThat(payload(publish(connection.next()))).isEqualTo("1");
        assertThat(payload(publish(connection.next()))).isEqualTo("2");
        assertThat(connection.next()).as("window of 2 is full").isNull();
        connection.send(pubAck(1));
        MqttPublishMessage third = publish(connection.next());
        assertThat(payload(third)).isEqualTo("3");
        assertThat(third.variableHeader().packetId()).isEqualTo(3);
    }

    @Test
    void qos2DeliveryRunsTheFourPacketFlow() {
        connect311AndSubscribe("q", 2);
        fromKafka(message("q", "exactly once", 2));
        MqttPublishMessage publish = publish(connection.next());
        int id = publish.variableHeader().packetId();
        connection.send(pubRec(id));
        assertThat(connection.nextBytes()).containsExactly(0x62, 0x02, 0x00, id); // PUBREL
        connection.send(pubComp(id));
        assertThat(connection.next()).isNull();
    }

    @Test
    void noLocalKeepsTheClientsOwnMessagesFromIt() {
        connect5AndSubscribe(properties(), properties(), "chat", 0x04 | 1);
        fromKafka(message("chat", "mine", 1, false, "sub", MessageProperties.NONE, System.currentTimeMillis()),
                message("chat", "theirs", 1, false, "other", MessageProperties.NONE, System.currentTimeMillis()));
        assertThat(payload(publish(connection.next()))).isEqualTo("theirs");
        assertThat(connection.next()).isNull();
    }

    @Test
    void retainAsPublishedKeepsTheFlag() {
        connect5AndSubscribe(properties(), properties(), "r", 0x08);
        fromKafka(message("r", "kept", 0, true, "p", MessageProperties.NONE, System.currentTimeMillis()));
        assertThat(publish(connection.next()).fixedHeader().isRetain()).isTrue();
    }

    @Test
    void overlappingSubscriptionsGiveOneCopyWithTheHighestQosAndEveryIdentifier() {
        connection.send(connect5("sub"));
        connection.next();
        connection.send(subscribe5(1, properties(bytes(0x0B, 5)), "a/+", 0));
        connection.next();
        connection.send(subscribe5(2, properties(bytes(0x0B, 9)), "a/#", 1));
        connection.next();
        fromKafka(message("a/b", "once", 2));
        MqttPublishMessage publish = publish(connection.next());
        assertThat(publish.fixedHeader().qosLevel().value()).isEqualTo(1);
        assertThat(publish.variableHeader().properties().getProperties(0x0B))
                .extracting(p -> (Integer) p.value()).containsExactlyInAnyOrder(5, 9);
        assertThat(connection.next()).isNull();
    }

    @Test
    void propertiesArePassedToMqtt5SubscribersOnly() {
        MessageProperties props = new MessageProperties(1, "text/plain", null, "reply/to", new byte[] {4, 2},
                List.of(Map.entry("k", "v1"), Map.entry("k", "v2")));
        connect5AndSubscribe(properties(), properties(), "p", 0);
        fromKafka(message("p", "x", 0, false, "pub", props, System.currentTimeMillis()));
        MqttProperties received = publish(connection.next()).variableHeader().properties();
        assertThat(received.getProperty(0x01).value()).isEqualTo(1);
        assertThat(received.getProperty(0x03).value()).isEqualTo("text/plain");
        assertThat(received.getProperty(0x08).value()).isEqualTo("reply/to");
        assertThat((byte[]) received.getProperty(0x09).value()).containsExactly(4, 2);
        assertThat(received.getProperties(0x26)).extracting(p -> ((MqttProperties.StringPair) p.value()).value)
                .containsExactly("v1", "v2");
    }

    @Test
    void messageExpiryIsDecrementedAndExpiredMessagesAreDropped() {
        connect5AndSubscribe(properties(), properties(), "e", 0);
        long now = System.currentTimeMillis();
        MessageProperties tenSeconds = new MessageProperties(null, null, 10L, null, null, List.of());
        fromKafka(message("e", "old", 0, false, "p", tenSeconds, now - 60_000),
                message("e", "fresh", 0, false, "p", tenSeconds, now - 4_000));
        MqttPublishMessage publish = publish(connection.next());
        assertThat(payload(publish)).isEqualTo("fresh");
        assertThat((Integer) publish.variableHeader().properties().getProperty(0x02).value()).isBetween(5, 6);
        assertThat(connection.next()).isNull();
        assertThat(connection.metrics.droppedExpired.sum()).isEqualTo(1);
    }

    @Test
    void topicAliasesAreUsedWithinTheClientsMaximum() {
        connect5AndSubscribe(properties(intProperty2(0x22, 1)), properties(), "t/#", 0);
        fromKafka(message("t/long/name", "1", 0), message("t/long/name", "2", 0), message("t/other", "3", 0));
        MqttPublishMessage first = publish(connection.next());
        assertThat(first.variableHeader().topicName()).isEqualTo("t/long/name");
        assertThat(first.variableHeader().properties().getProperty(0x23).value()).isEqualTo(1);
        MqttPublishMessage second = publish(connection.next());
        assertThat(second.variableHeader().topicName()).isEmpty();
        assertThat(second.variableHeader().properties().getProperty(0x23).value()).isEqualTo(1);
        MqttPublishMessage third = publish(connection.next());
        assertThat(third.variableHeader().topicName()).isEqualTo("t/other");
        assertThat(third.variableHeader().properties().getProperty(0x23)).as("no alias left").isNull();
    }

    @Test
    void messageLargerThanTheClientsMaximumPacketSizeIsDroppedForIt() {
        connect5AndSubscribe(properties(intProperty4(0x27, 100)), properties(), "big", 1);
        fromKafka(message("big", "x".repeat(200), 1), message("big", "small", 1));
        MqttPublishMessage publish = publish(connection.next());
        assertThat(payload(publish)).isEqualTo("small");
        assertThat(publish.variableHeader().packetId()).as("no id spent on the dropped one").isEqualTo(1);
        assertThat(connection.metrics.droppedTooLarge.sum()).isEqualTo(1);
    }

    private TestConnection slowSubscriberWithAQueueOf3() {
        ProtocolSettings d = ProtocolSettings.defaults();
        connection = new TestConnection(new ProtocolSettings(d.maxPacketSize(), d.maxClientIdLength(),
                d.connectTimeout(), 0, d.receiveMaximum(), d.topicAliasMaximum(), d.maxInflightPerConnection(),
                3, d.maxQueuedBytes(), d.maxSessionExpirySeconds(), d.sessionCheckpointInterval()),
                Authenticator.allowAll(), new ControllablePublisher(), new ClientRegistry());
        connection.router.start(Map.of(P0, offset));
        return new TestConnection(ProtocolSettings.defaults(), Authenticator.allowAll(), connection.publisher,
                connection.registry, connection.subscriptions, null, new TestSharedFeeds(), connection.sessions,
                connection.router);
    }

    private List<OutboundMessage> tenMessages(int qos) {
        List<OutboundMessage> messages = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            messages.add(message("s", "m" + i, qos));
        }
        return messages;
    }

    /** What the replay reader would hand over for {@code request}, from the messages Kafka has. */
    private void answer(TestReplay.Request request, List<OutboundMessage> kafka) {
        List<OutboundMessage> batch = new ArrayList<>();
        for (OutboundMessage message : kafka) {
            if (request.ranges().stream().anyMatch(r -> r.contains(message.offset()))) {
                batch.add(message);
            }
        }
        request.listener().onMessages(batch);
        request.result().complete(new MessageReplay.Result(batch.size(), 0, 0));
        connection.runTasks();
    }

    @Test
    void aSubscriberTooSlowForQos1GoesBackToKafkaAtItsOwnPaceAndLosesNothing() {
        TestConnection fast = slowSubscriberWithAQueueOf3();
        connect5AndSubscribe(properties(intProperty2(0x21, 1)), properties(), "s", 1);
        fast.send(connect311("fast"), subscribe311(1, "s", 1));
        fast.nextBytes();
        fast.nextBytes();

        List<OutboundMessage> messages = tenMessages(1);
        connection.router.onBatch(messages, Map.of(P0, offset));
        connection.runTasks();
        fast.runTasks();
        int fastReceived = 0;
        while (fast.next() != null) {
            fastReceived++;
        }
        assertThat(fastReceived).as("the other subscriber is not slowed").isEqualTo(10);
        // 1 in flight, 3 queued; m4 did not fit: back to Kafka for it, once the queue has room
        assertThat(connection.metrics.droppedQueueFull.sum()).isZero();
        assertThat(connection.metrics.slowSubscriberCatchUps.sum()).isEqualTo(1);
        List<String> received = new ArrayList<>();
        while (received.size() < 10) {
            MqttMessage next = connection.next();
            if (next == null) {
                TestReplay.Request request = connection.replay.requests.get(connection.replay.requests.size() - 1);
                assertThat(request.result()).as("a chunk is asked for only when there is room").isNotDone();
                assertThat(request.ranges()).allSatisfy(r -> assertThat(r.to() - r.from()).isLessThanOrEqualTo(3));
                answer(request, messages);
                continue;
            }
            MqttPublishMessage publish = publish(next);
            received.add(payload(publish));
            connection.send(pubAck(publish.variableHeader().packetId()));
        }
        assertThat(received).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
        // caught up: live again
        OutboundMessage live = message("s", "live", 1);
        connection.router.onBatch(List.of(live), Map.of(P0, offset));
        connection.runTasks();
        assertThat(payload(publish(connection.next()))).isEqualTo("live");
        fast.assertNothingLeaked();
    }

    @Test
    void aSlowSubscriberLosesOnlyQos0PastItsQueue() {
        TestConnection fast = slowSubscriberWithAQueueOf3();
        connect5AndSubscribe(properties(), properties(), "s", 0);
        connection.channel.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(1, 2));
        connection.router.onBatch(tenMessages(0), Map.of(P0, offset));
        connection.runTasks();
        assertThat(connection.metrics.droppedQueueFull.sum()).isPositive();
        assertThat(connection.metrics.slowSubscriberCatchUps.sum()).isZero();
        assertThat(connection.replay.requests).isEmpty();
        fast.assertNothingLeaked();
    }

    @Test
    void pubRecWithAFailureCodeEndsTheQos2Flow() {
        connect5AndSubscribe(properties(intProperty2(0x21, 1)), properties(), "q", 2);
        fromKafka(message("q", "a", 2), message("q", "b", 2));
        int id = publish(connection.next()).variableHeader().packetId();
        connection.send(Packets.packet(0x50, Packets.twoBytes(id), bytes(0x80), properties()));
        // no PUBREL after a failed PUBREC (4.3.3); the slot in the window is free for the next message
        assertThat(payload(publish(connection.next()))).isEqualTo("b");
        assertThat(connection.next()).isNull();
    }
}
