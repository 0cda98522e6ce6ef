package io.tributary.mqtt.protocol;

import static io.tributary.mqtt.protocol.Packets.connect311;
import static io.tributary.mqtt.protocol.Packets.connect5;
import static io.tributary.mqtt.protocol.Packets.properties;
import static io.tributary.mqtt.protocol.Packets.pubAck;
import static io.tributary.mqtt.protocol.Packets.subscribe311;
import static io.tributary.mqtt.protocol.Packets.subscribe5;
import static io.tributary.mqtt.protocol.Packets.unsubscribe311;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.mqtt.auth.Authenticator;
import io.tributary.mqtt.session.ClientRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** $share/{name}/{filter}: one member per message, in turn; handed on when a member cannot take or loses it. */
class SharedSubscriptionTest {

    private TestConnection first;
    private TestConnection second;
    private long offset;

    @BeforeEach
    void twoMembers() {
        first = new TestConnection();
        // the second member shares the node: the same registry, tree and shares
        second = new TestConnection(ProtocolSettings.defaults(), Authenticator.allowAll(), first.publisher,
                first.registry, first.subscriptions, first.shared, first.sharedFeeds);
        join(first, "worker-1");
        join(second, "worker-2");
    }

    @AfterEach
    void noLeaks() {
        first.assertNothingLeaked();
        second.assertNothingLeaked();
    }

    private static void join(TestConnection connection, String clientId) {
        connection.send(connect311(clientId));
        connection.nextBytes();
        connection.send(subscribe311(1, "$share/workers/jobs/#", 1));
        assertThat(connection.nextBytes()).containsExactly(0x90, 0x03, 0x00, 0x01, 0x01);
    }

    private TestSharedFeeds.Feed feed() {
        return first.sharedFeeds.feeds.get("$share/workers/jobs/#");
    }

    private OutboundMessage job(String payload) {
        return new OutboundMessage("jobs/" + payload, payload.getBytes(StandardCharsets.UTF_8), 1, false, "boss",
                MessageProperties.NONE, System.currentTimeMillis(), "mqtt.messages", 0, offset++);
    }

    private static List<String> received(TestConnection connection) {
        List<String> payloads = new ArrayList<>();
        MqttMessage message;
        while ((message = connection.next()) != null) {
            if (message.fixedHeader().messageType() == MqttMessageType.PUBLISH) {
                payloads.add(new String(ByteBufUtil.getBytes(((MqttPublishMessage) message).payload()),
                        StandardCharsets.UTF_8));
            }
        }
        return payloads;
    }

    private void run() {
        first.runTasks();
        second.runTasks();
    }

    @Test
    void eachMessageGoesToOneMemberInTurn() {
        feed().listener.onMessages(List.of(job("a"), job("b"), job("c"), job("d")));
        run();
        List<String> toFirst = received(first);
        List<String> toSecond = received(second);
        assertThat(toFirst).hasSize(2);
        assertThat(toSecond).hasSize(2);
        List<String> all = new ArrayList<>(toFirst);
        all.addAll(toSecond);
        assertThat(all).containsExactlyInAnyOrder("a", "b", "c", "d");
    }

    @Test
    void aMessageIsDoneOnlyWhenItsMemberAcknowledgedIt() {
        OutboundMessage a = job("a");
        feed().listener.onMessages(List.of(a));
        run();
        TestConnection member = received(first).isEmpty() ? second : first;
        assertThat(feed().done).isEmpty();
        member.send(pubAck(1));
        assertThat(feed().done).containsExactly(a);
    }

    @Test
    void unacknowledgedQos1MessagesOfALeavingMemberGoToTheOther() {
        feed().listener.onMessages(List.of(job("a"), job("b")));
        run();
        List<String> kept = received(second);
        assertThat(received(first)).hasSize(1);
        first.channel.close(); // gone without PUBACK
        run();
        kept.addAll(received(second));
        assertThat(kept).containsExactlyInAnyOrder("a", "b");
        assertThat(feed().closed).isFalse();
    }

    @Test
    void theLastMemberLeavingClosesTheShareHere() {
        first.send(unsubscribe311(2, "$share/workers/jobs/#"));
        second.channel.close();
        assertThat(first.shared.shareCount()).isZero();
    }

    @Test
    void noLocalOnASharedSubscriptionIsAProtocolError() {
        TestConnection v5 = new TestConnection();
        v5.send(connect5("c"));
        v5.next();
        v5.send(subscribe5(1, properties(), "$share/g/t", 0x04 | 1));
        assertThat(v5.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
        assertThat(v5.isOpen()).isFalse();
        v5.assertNothingLeaked();
    }

    @Test
    void sharedMessagesDoNotReachOrdinarySubscriptionsTwice() {
        ClientRegistry registry = first.registry;
        assertThat(registry.size()).isEqualTo(2);
        assertThat(first.subscriptions.size()).as("shares are not in the subscription tree").isZero();
    }
}
