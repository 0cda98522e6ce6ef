package io.tributary.bench;

import io.netty.channel.embedded.EmbeddedChannel;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A store-phase connection through an EmbeddedChannel (no codec, no network). */
class RetainedPublisherHandlerTest extends EmbeddedHandlerTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final BenchStats stats = new BenchStats();
    private RetainedPublisherHandler handler;

    /** Publisher 0 with range [first, end) of the set the options {@code args} describe. */
    private void open(int first, int end, String... args) {
        RetainedConfig config = parse(new RetainedBench(), args).toConfig();
        handler = new RetainedPublisherHandler(0, first, end, config.topics(),
                new SequencedPayload(config.publishers().payloadBytes()), config.publishers(), stats, clock::get);
        channel = new EmbeddedChannel(handler);
        assertThat(outbound()).singleElement().isInstanceOf(MqttConnectMessage.class);
    }

    private void connAck(MqttProperties properties) {
        channel.writeInbound(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .properties(properties).build());
        assertThat(handler.ready()).isCompleted();
    }

    private void reply(MqttMessageType type, int id) {
        channel.writeInbound(new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 2),
                MqttMessageIdVariableHeader.from(id)));
    }

    /** The PUBLISH packets written since the last call, released; checks each is retained at {@code qos}. */
    private List<MqttPublishMessage> published(MqttQoS qos) {
        List<MqttPublishMessage> out = outbound().stream().map(MqttPublishMessage.class::cast).toList();
        for (MqttPublishMessage p : out) {
            assertThat(p.fixedHeader().isRetain()).isTrue();
            assertThat(p.fixedHeader().qosLevel()).isEqualTo(qos);
            SequencedPayload.Header h = SequencedPayload.decode(p.payload());
            assertThat(RetainedTopics.index(h.publisher(), h.sequence()))
                    .isEqualTo(new RetainedTopics(RetainedTopics.DEFAULT_PREFIX, 100_000).index(p.variableHeader().topicName()));
            ReferenceCountUtil.release(p);
        }
        return out;
    }

    private static List<String> topics(List<MqttPublishMessage> messages) {
        return messages.stream().map(p -> p.variableHeader().topicName()).toList();
    }

    @Test
    void publishesItsRangeOnceRetainedKeepingTheWindowFullAndCompletesOnTheLastAck() {
        open(1000, 1250, "--topics", "2500", "--narrow", "-1", "--max-inflight", "100", "--payload", "20");
        connAck(MqttProperties.NO_PROPERTIES);

        handler.start();
        List<MqttPublishMessage> first = published(MqttQoS.AT_LEAST_ONCE);
        assertThat(first).hasSize(100);
        assertThat(topics(first)).startsWith("bench/retained/1/1000", "bench/retained/1/1001").endsWith("bench/retained/1/1099");
        assertThat(first.get(0).payload().capacity()).isEqualTo(20);

        for (int id = 1; id <= 100; id++) {
            reply(MqttMessageType.PUBACK, id);
        }
        assertThat(topics(published(MqttQoS.AT_LEAST_ONCE))).hasSize(100).startsWith("bench/retained/1/1100");
        for (int id = 101; id <= 200; id++) {
            reply(MqttMessageType.PUBACK, id);
        }
        List<MqttPublishMessage> last = published(MqttQoS.AT_LEAST_ONCE);
        assertThat(topics(last)).hasSize(50).endsWith("bench/retained/1/1249");
        assertThat(handler.stored()).isNotDone();

        clock.set(9_000_000);
        for (MqttPublishMessage p : last) {
            reply(MqttMessageType.PUBACK, p.variableHeader().packetId());
        }
        assertThat(handler.stored()).isCompletedWithValue(9_000_000L);
        assertThat(handler.acknowledged()).isEqualTo(250);
        assertThat(outbound()).isEmpty(); // nothing more
        assertThat(stats.errors()).isZero();
    }

    @Test
    void qos2ReleasesOnPubRecAndCountsOnPubComp() {
        open(0, 2, "--topics", "1000", "--qos", "2", "--narrow", "-1");
        connAck(MqttProperties.NO_PROPERTIES);
        handler.start();
        assertThat(published(MqttQoS.EXACTLY_ONCE)).hasSize(2);

        reply(MqttMessageType.PUBREC, 1);
        MqttMessage pubRel = outbound().get(0);
        assertThat(pubRel.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREL);
        assertThat(((MqttMessageIdVariableHeader) pubRel.variableHeader()).messageId()).isEqualTo(1);
        reply(MqttMessageType.PUBCOMP, 1);
        assertThat(handler.acknowledged()).isEqualTo(1);

        reply(MqttMessageType.PUBREC, 2);
        reply(MqttMessageType.PUBCOMP, 2);
        assertThat(handler.stored()).isCompleted();
    }

    @Test
    void mqtt5KeepsToTheBrokersReceiveMaximumAndARefusalIsAnErrorNotAStoredMessage() {
        open(0, 30, "--topics", "1000", "--protocol", "5", "--narrow", "-1");
        MqttProperties receiveMaximum = new MqttProperties();
        receiveMaximum.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(), 20));
        connAck(receiveMaximum);

        handler.start();
        assertThat(published(MqttQoS.AT_LEAST_ONCE)).hasSize(20);
        assertThat(handler.window()).isEqualTo(20);

        channel.writeInbound(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE, false, 4),
                new MqttPubReplyMessageVariableHeader(1, (byte) 0x97, MqttProperties.NO_PROPERTIES))); // quota exceeded
        reply(MqttMessageType.PUBACK, 999); // not in flight

        assertThat(stats.errors()).isEqualTo(2);
        assertThat(published(MqttQoS.AT_LEAST_ONCE)).hasSize(1); // the refused one's slot is free again
        assertThat(handler.acknowledged()).isZero();
    }

    @Test
    void qos0IsDoneOnceEverythingIsWritten() {
        open(0, 3, "--topics", "1000", "--qos", "0", "--narrow", "-1");
        connAck(MqttProperties.NO_PROPERTIES);

        handler.start();

        assertThat(published(MqttQoS.AT_MOST_ONCE)).extracting(p -> p.variableHeader().packetId()).containsOnly(0);
        assertThat(handler.stored()).isCompleted();
        assertThat(handler.acknowledged()).isEqualTo(3);
    }

    @Test
    void aLostConnectionFailsTheStoreOfThatPublisher() {
        open(0, 10, "--topics", "1000", "--narrow", "-1");
        connAck(MqttProperties.NO_PROPERTIES);
        handler.start();
        published(MqttQoS.AT_LEAST_ONCE);

        channel.close();

        assertThatThrownBy(() -> handler.stored().get()).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("retained-pub-0: connection closed after 10 of 10 messages (10 unacknowledged)");
        assertThat(stats.disconnects()).isEqualTo(1);
    }
}
