package io.tributary.bench;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The subscriber's protocol behaviour as the receiver, through an EmbeddedChannel (no codec, no network). */
class SubscriberHandlerTest extends EmbeddedHandlerTest {

    private final AtomicLong clock = new AtomicLong(50_000_000);
    private final E2eStats stats = new E2eStats();
    private final LatencyRecorder latency = new LatencyRecorder();
    private final SequencedPayload payloads = new SequencedPayload(32);
    private SubscriberHandler handler;

    private void open(String... args) {
        E2eConfig config = parse(new E2eBench(), args).toConfig();
        handler = new SubscriberHandler(0, config.subscriberClientId(0), config.filter(0), config.clients(), stats,
                new DeliveryTracker(config.scenario(), 0, config.publishers()), latency, clock::get);
        channel = new EmbeddedChannel(handler);
    }

    private void connectAndSubscribe(MqttQoS granted) {
        assertThat(outbound()).singleElement().isInstanceOf(MqttConnectMessage.class);
        channel.writeInbound(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .properties(MqttProperties.NO_PROPERTIES).build());
        MqttSubscribeMessage subscribe = (MqttSubscribeMessage) outbound().get(0);
        MqttTopicSubscription s = subscribe.payload().topicSubscriptions().get(0);
        assertThat(subscribe.idAndPropertiesVariableHeader().messageId()).isEqualTo(SubscriberHandler.SUBSCRIBE_PACKET_ID);
        assertThat(s.topicFilter()).isEqualTo("bench/fanin/+");
        assertThat(handler.ready()).isNotDone(); // not before SUBACK
        channel.writeInbound(MqttMessageBuilders.subAck().packetId(SubscriberHandler.SUBSCRIBE_PACKET_ID)
                .addGrantedQos(granted).build());
    }

    private MqttPublishMessage publish(MqttQoS qos, boolean dup, int packetId, int publisher, int seq, long sentNanos) {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, dup, qos, false, 0),
                new MqttPublishVariableHeader("bench/fanin/" + publisher, packetId),
                payloads.encode(ByteBufAllocator.DEFAULT, publisher, seq, sentNanos));
    }

    private static MqttMessage pubRel(int id) {
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 2),
                MqttMessageIdVariableHeader.from(id));
    }

    private static String describe(MqttMessage m) {
        return m.fixedHeader().messageType() + " " + ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    @Test
    void timesTheSubscribeFromItsWriteToTheSubAck() {
        open("--scenario", "fan-in", "-n", "2");
        outbound(); // CONNECT
        channel.writeInbound(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .properties(MqttProperties.NO_PROPERTIES).build());
        assertThat(handler.subAckNanos()).isEqualTo(-1);

        clock.addAndGet(120_000_000);
        channel.writeInbound(MqttMessageBuilders.subAck().packetId(SubscriberHandler.SUBSCRIBE_PACKET_ID)
                .addGrantedQos(MqttQoS.AT_LEAST_ONCE).build());

        assertThat(handler.subAckNanos()).isEqualTo(120_000_000);
    }

    @Test
    void subscribesWithTheRunsQosAndIsReadyOnSubAck() {
        open("--scenario", "fan-in", "-n", "2", "-q", "2");

        connectAndSubscribe(MqttQoS.EXACTLY_ONCE);

        assertThat(handler.ready()).isCompleted();
        assertThat(handler.grantedQos()).isEqualTo(2);
    }

    @Test
    void aRefusedSubscribeFailsTheConnectionWithItsReasonCode() {
        open("--scenario", "fan-in", "-n", "2", "-q", "1");

        connectAndSubscribe(MqttQoS.FAILURE);

        assertThatThrownBy(() -> handler.ready().get())
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("SUBSCRIBE refused: 0x80");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void qos2IsReceivedOnceThroughPubRecPubRelPubComp() {
        open("--scenario", "fan-in", "-n", "2", "-q", "2");
        connectAndSubscribe(MqttQoS.EXACTLY_ONCE);
        stats.measureStarted(0);

        channel.writeInbound(publish(MqttQoS.EXACTLY_ONCE, false, 5, 1, 0, clock.get() - 2_000_000));
        assertThat(outbound()).extracting(SubscriberHandlerTest::describe).containsExactly("PUBREC 5");

        // the broker did not see our PUBREC and sends the PUBLISH again: same message, PUBREC again
        channel.writeInbound(publish(MqttQoS.EXACTLY_ONCE, true, 5, 1, 0, clock.get() - 2_000_000));
        assertThat(outbound()).extracting(SubscriberHandlerTest::describe).containsExactly("PUBREC 5");

        channel.writeInbound(pubRel(5));
        assertThat(outbound()).extracting(SubscriberHandlerTest::describe).containsExactly("PUBCOMP 5");

        // after PUBCOMP the packet id is free: the next message may reuse it
        channel.writeInbound(publish(MqttQoS.EXACTLY_ONCE, false, 5, 1, 1, clock.get()));
        channel.writeInbound(pubRel(5));
        assertThat(outbound()).extracting(SubscriberHandlerTest::describe).containsExactly("PUBREC 5", "PUBCOMP 5");

        DeliveryTracker.Totals totals = handler.tracker().totals(new long[] {0, 2});
        assertThat(totals.received()).isEqualTo(2);
        assertThat(totals.duplicates()).isZero();
        assertThat(totals.lost()).isZero();
        assertThat(stats.delivered.sum()).isEqualTo(2);
        LatencyRecorder.LatencySummary l = latency.measuredSummary();
        assertThat(l.count()).isEqualTo(2);
        assertThat(l.maxMicros()).isBetween(1990.0, 2010.0); // 2 ms, within the histogram's precision
    }

    @Test
    void qos1IsAcknowledgedAndARedeliveryCountsAsDuplicate() {
        open("--scenario", "fan-in", "-n", "2", "-q", "1");
        connectAndSubscribe(MqttQoS.AT_LEAST_ONCE);

        channel.writeInbound(publish(MqttQoS.AT_LEAST_ONCE, false, 1, 0, 0, clock.get()),
                publish(MqttQoS.AT_LEAST_ONCE, false, 2, 0, 1, clock.get()),
                publish(MqttQoS.AT_LEAST_ONCE, true, 3, 0, 1, clock.get()));

        assertThat(outbound()).extracting(SubscriberHandlerTest::describe).containsExactly("PUBACK 1", "PUBACK 2", "PUBACK 3");
        DeliveryTracker.Totals totals = handler.tracker().totals(new long[] {3, 0});
        assertThat(totals.received()).isEqualTo(2);
        assertThat(totals.duplicates()).isEqualTo(1);
        assertThat(totals.lost()).isEqualTo(1);
    }

    @Test
    void messagesSentBeforeTheMeasuredWindowAreNotInTheLatencyReport() {
        open("--scenario", "fan-in", "-n", "2", "-q", "0");
        connectAndSubscribe(MqttQoS.AT_MOST_ONCE);
        stats.measureStarted(clock.get());

        channel.writeInbound(publish(MqttQoS.AT_MOST_ONCE, false, 0, 0, 0, clock.get() - 1),
                publish(MqttQoS.AT_MOST_ONCE, false, 0, 0, 1, clock.get()));

        assertThat(outbound()).isEmpty(); // QoS 0: nothing to acknowledge
        assertThat(latency.measuredSummary().count()).isEqualTo(1);
        assertThat(stats.delivered.sum()).isEqualTo(2);
    }

    @Test
    void aPortRecorderSeesTheSameLatenciesAsTheRunsOne() {
        E2eConfig config = parse(new E2eBench(), "--scenario", "fan-in", "-n", "2", "-q", "0").toConfig();
        LatencyRecorder port = new LatencyRecorder();
        handler = new SubscriberHandler(0, config.subscriberClientId(0), config.filter(0), config.clients(), stats,
                new DeliveryTracker(config.scenario(), 0, config.publishers()), latency, port, clock::get);
        channel = new EmbeddedChannel(handler);
        connectAndSubscribe(MqttQoS.AT_MOST_ONCE);
        stats.measureStarted(0);

        channel.writeInbound(publish(MqttQoS.AT_MOST_ONCE, false, 0, 1, 0, clock.get() - 3_000_000));

        assertThat(port.measuredSummary().p50Micros()).isBetween(2990.0, 3010.0);
        assertThat(latency.measuredSummary().count()).isEqualTo(1);
    }
}
