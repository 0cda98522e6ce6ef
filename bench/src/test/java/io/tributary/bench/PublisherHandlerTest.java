package io.tributary.bench;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The publisher's protocol behaviour, driven through an EmbeddedChannel (no codec, no network). */
class PublisherHandlerTest extends EmbeddedHandlerTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final BenchStats stats = new BenchStats();
    private final LatencyRecorder latency = new LatencyRecorder();
    private PublisherHandler handler;

    private void open(String... args) {
        BenchConfig config = parse(new PublishBench(), args).toConfig();
        handler = new PublisherHandler(7, config, stats, latency,
                Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})), clock::get);
        channel = new EmbeddedChannel(handler);
    }

    private MqttMessage nextOutbound() {
        return channel.readOutbound();
    }

    private void connAck(MqttConnectReturnCode code, MqttProperties properties) {
        channel.writeInbound(MqttMessageBuilders.connAck().returnCode(code).properties(properties).build());
    }

    private void reply(MqttMessageType type, int id) {
        channel.writeInbound(new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 2),
                MqttMessageIdVariableHeader.from(id)));
    }

    private void startMeasuring() {
        assertThat(handler.ready()).isCompleted();
        stats.phase(BenchStats.Phase.MEASURE);
        handler.start();
    }

    private static int id(MqttMessage m) {
        return ((MqttPublishMessage) m).variableHeader().packetId();
    }

    private static List<MqttMessage> release(List<MqttMessage> messages) {
        messages.forEach(ReferenceCountUtil::release);
        return messages;
    }

    @Test
    void sendsConnectWithClientIdOnActive() {
        open("--client-prefix", "load-", "--keep-alive", "30");

        MqttConnectMessage connect = (MqttConnectMessage) nextOutbound();

        assertThat(connect.payload().clientIdentifier()).isEqualTo("load-7");
        assertThat(connect.variableHeader().isCleanSession()).isTrue();
        assertThat(connect.variableHeader().keepAliveTimeSeconds()).isEqualTo(30);
        assertThat(handler.ready()).isNotDone();
    }

    @Test
    void keepsTheWindowFullAndRefillsOnPuback() {
        open("-q", "1", "-i", "100", "-t", "bench/{client}");
        nextOutbound(); // CONNECT
        connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, MqttProperties.NO_PROPERTIES);
        startMeasuring();

        List<MqttMessage> first = release(outbound());
        assertThat(first).hasSize(100).allMatch(m -> m.fixedHeader().messageType() == MqttMessageType.PUBLISH);
        MqttPublishMessage p = (MqttPublishMessage) first.get(0);
        assertThat(p.variableHeader().topicName()).isEqualTo("bench/7");
        assertThat(p.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
        assertThat(first.stream().map(PublisherHandlerTest::id).distinct()).hasSize(100);

        clock.addAndGet(2_000_000); // 2 ms later
        reply(MqttMessageType.PUBACK, id(first.get(0)));
        reply(MqttMessageType.PUBACK, id(first.get(1)));

        List<MqttMessage> refill = release(outbound());
        assertThat(refill).hasSize(2);
        assertThat(stats.published()).isEqualTo(102);
        assertThat(stats.acked()).isEqualTo(2);
        LatencyRecorder.LatencySummary s = latency.measuredSummary();
        assertThat(s.count()).isEqualTo(2);
        assertThat(s.p50Micros()).isBetween(1999.0, 2001.0);
    }

    @Test
    void qos2AnswersPubrecWithPubrelAndCompletesOnPubcomp() {
        open("-q", "2", "-i", "1");
        nextOutbound();
        connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, MqttProperties.NO_PROPERTIES);
        startMeasuring();
        List<MqttMessage> sent = release(outbound());
        assertThat(sent).hasSize(1);
        int id = id(sent.get(0));

        reply(MqttMessageType.PUBREC, id);
        List<MqttMessage> afterRec = outbound();
        assertThat(afterRec).hasSize(1);
        assertThat(afterRec.get(0).fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREL);
        assertThat(afterRec.get(0).fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE); // MQTT-3.6.1-1
        assertThat(((MqttMessageIdVariableHeader) afterRec.get(0).variableHeader()).messageId()).isEqualTo(id);
        assertThat(stats.acked()).isZero();

        reply(MqttMessageType.PUBCOMP, id);
        List<MqttMessage> afterComp = release(outbound());
        assertThat(stats.acked()).isEqualTo(1);
        assertThat(afterComp).hasSize(1).allMatch(m -> m.fixedHeader().messageType() == MqttMessageType.PUBLISH);
    }

    @Test
    void qos0PublishesWithoutPacketIdsOrWindow() {
        open("-q", "0", "-i", "5", "-r", "1000"); // paced, so the embedded event loop does not spin forever
        nextOutbound();
        connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, MqttProperties.NO_PROPERTIES);
        startMeasuring();
        assertThat(release(outbound())).hasSize(1);

        clock.addAndGet(20_000_000); // 20 ms: 20 more due, far beyond the QoS 1 window of 5
        handler.pump();
        List<MqttMessage> sent = release(outbound());

        assertThat(sent).hasSize(20);
        assertThat(sent).allMatch(m -> ((MqttPublishMessage) m).variableHeader().packetId() == 0);
        assertThat(stats.published()).isEqualTo(21);
    }

    @Test
    void mqtt5ReceiveMaximumNarrowsTheWindow() {
        open("--protocol", "5", "-q", "1", "-i", "100");
        nextOutbound();
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(), 20));
        connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, props);
        startMeasuring();

        assertThat(handler.window()).isEqualTo(20);
        assertThat(release(outbound())).hasSize(20);
    }

    @Test
    void negativePubackCountsAsError() {
        open("--protocol", "5", "-q", "1", "-i", "1");
        nextOutbound();
        connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, MqttProperties.NO_PROPERTIES);
        startMeasuring();
        int id = id(release(outbound()).get(0));

        channel.writeInbound(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttPubReplyMessageVariableHeader(id, (byte) 0x87, MqttProperties.NO_PROPERTIES)));

        assertThat(stats.errors()).isEqualTo(1);
        assertThat(stats.acked()).isEqualTo(1); // the flow is over either way: the slot is free again
    }

    @Test
    void ackForUnknownPacketIdIsAnError() {
        open("-q", "1");
        nextOutbound();
        connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, MqttProperties.NO_PROPERTIES);

        reply(MqttMessageType.PUBACK, 4242);

        assertThat(stats.errors()).isEqualTo(1);
        assertThat(stats.acked()).isZero();
    }

    @Test
    void refusedConnackFailsReadyWithTheReturnCode() {
        open();
        nextOutbound();

        connAck(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, MqttProperties.NO_PROPERTIES);

        assertThat(handler.ready()).isCompletedExceptionally();
        assertThat(handler.ready().handle((v, e) -> e.getMessage()).join())
                .contains("bench-7").contains("CONNECTION_REFUSED_NOT_AUTHORIZED");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void closeBeforeConnackFailsReadyInsteadOfHanging() {
        open();
        nextOutbound();

        channel.close();

        assertThat(handler.ready()).isCompletedExceptionally();
        assertThat(handler.ready().handle((v, e) -> e.getMessage()).join()).contains("before CONNACK");
        assertThat(stats.disconnects()).isZero();
    }

    @Test
    void lossAfterConnackCountsAsDisconnect() {
        open();
        nextOutbound();
        connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, MqttProperties.NO_PROPERTIES);

        channel.close();

        assertThat(stats.disconnects()).isEqualTo(1);
    }

    @Test
    void pacedPublisherWaitsForTheNextSlot() {
        open("-q", "1", "-r", "10"); // one every 100 ms
        nextOutbound();
        connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, MqttProperties.NO_PROPERTIES);
        startMeasuring();

        assertThat(release(outbound())).hasSize(1);
        clock.addAndGet(50_000_000);
        assertThat(release(outbound())).isEmpty();
        clock.addAndGet(50_000_000);
        handler.pump(); // what the scheduled wake-up does
        assertThat(release(outbound())).hasSize(1);
    }
}
