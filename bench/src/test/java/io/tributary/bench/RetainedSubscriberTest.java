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
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The receiving side of a subscribe phase, through an EmbeddedChannel (no codec, no network): the
 * probe in front of a {@link SubscriberHandler}, as the runner puts them together, accounting for
 * missing, duplicate, non-retained and foreign deliveries and timing them from the SUBSCRIBE.
 */
class RetainedSubscriberTest extends EmbeddedHandlerTest {

    private static final long MS = 1_000_000;

    private final AtomicLong clock = new AtomicLong(100 * MS);
    private final SequencedPayload payloads = new SequencedPayload(32);
    private RetainedConfig config;
    private DeliveryTracker tracker;
    private RetainedProbe probe;
    private SubscriberHandler subscriber;
    private String filter;

    /** A subscriber of the whole set ({@code bucket} -1) or of one bucket, with the run's options {@code args}. */
    private void open(int bucket, String... args) throws Exception {
        config = parse(new RetainedBench(), args).toConfig();
        RetainedTopics topics = config.topics();
        tracker = bucket < 0 ? new DeliveryTracker(Scenario.FAN_IN, 0, topics.buckets())
                : new DeliveryTracker(Scenario.P2P, bucket, topics.buckets());
        filter = bucket < 0 ? topics.allFilter() : topics.bucketFilter(bucket);
        E2eStats e2e = new E2eStats();
        subscriber = new SubscriberHandler(0, config.subscriberClientId("all"), filter, config.subscribers(), e2e,
                tracker, new LatencyRecorder(), clock::get);
        probe = new RetainedProbe(topics, e2e.delivered, clock::get);
        channel = new EmbeddedChannel(false, false); // registered (and so active) once the stages are in place
        channel.pipeline().addLast(RetainedProbe.NAME, probe).addLast(ClientGroup.CLIENT, subscriber);
        channel.register();
    }

    private void connectAndSubscribe() {
        assertThat(outbound()).singleElement().isInstanceOf(MqttConnectMessage.class);
        channel.writeInbound(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .properties(MqttProperties.NO_PROPERTIES).build());
        MqttSubscribeMessage subscribe = (MqttSubscribeMessage) outbound().get(0);
        assertThat(subscribe.payload().topicSubscriptions().get(0).topicFilter()).isEqualTo(filter);
        assertThat(subscribe.payload().topicSubscriptions().get(0).qualityOfService()).isEqualTo(config.subscribeQos());
        clock.addAndGet(MS);
        channel.writeInbound(MqttMessageBuilders.subAck().packetId(SubscriberHandler.SUBSCRIBE_PACKET_ID)
                .addGrantedQos(config.subscribeQos()).build());
        assertThat(subscriber.ready()).isCompleted();
    }

    /** Retained message {@code index} on {@code topicIndex}'s topic, arriving one ms after the previous one. */
    private void deliver(int packetId, int topicIndex, int index, boolean retain) {
        clock.addAndGet(MS);
        channel.writeInbound(new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, false, config.subscribeQos(), retain, 0),
                new MqttPublishVariableHeader(config.topics().topic(topicIndex), packetId),
                payloads.encode(ByteBufAllocator.DEFAULT, RetainedTopics.bucket(index), RetainedTopics.position(index), 0)));
    }

    private void deliver(int packetId, int index) {
        deliver(packetId, index, index, true);
    }

    private RetainedResult.Received received(long expected) {
        return new RetainedResult.Received(filter, expected, tracker.totals(config.topics().bucketSizes()), probe.observed());
    }

    private static String describe(MqttMessage m) {
        return m.fixedHeader().messageType() + " " + ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    @Test
    void countsMissingAndRepeatedMessagesAndTimesTheSetFromTheSubscribe() throws Exception {
        open(-1, "--topics", "1500", "--narrow", "-1");
        connectAndSubscribe(); // SUBSCRIBE at 100 ms, SUBACK at 101 ms

        for (int i = 0; i < 1500; i++) {
            if (i != 42 && i != 1499) {
                deliver(i + 1, i); // 102 .. 1599 ms
            }
        }
        deliver(5000, 7); // a repeat: does not move the time of the last first arrival
        assertThat(outbound()).hasSize(1499).allMatch(m -> m.fixedHeader().messageType() == MqttMessageType.PUBACK);

        RetainedResult.Received r = received(1500);
        assertThat(r.totals().received()).isEqualTo(1498);
        assertThat(r.missing()).isEqualTo(2);
        assertThat(r.totals().duplicates()).isEqualTo(1);
        assertThat(r.totals().unexpected()).isZero();
        assertThat(r.observed().publishes()).isEqualTo(1499);
        assertThat(r.observed().notRetained()).isZero();
        assertThat(r.observed().mismatched()).isZero();
        assertThat(r.subAckMs()).isEqualTo(1.0);
        assertThat(r.firstMs()).isEqualTo(2.0);
        assertThat(r.lastMs()).isEqualTo(1499.0);
        assertThat(r.clean(1)).isFalse();
    }

    @Test
    void aDeliveryWithoutRetainOrWithAnotherTopicsPayloadIsFlagged() throws Exception {
        open(-1, "--topics", "1000", "--narrow", "-1", "--sub-qos", "0");
        connectAndSubscribe();

        deliver(0, 0, 0, false); // live, not a retained message: MQTT-3.3.1-9 wants RETAIN here
        deliver(0, 1, 2, true);  // the payload of message 2 on the topic of message 1
        for (int i = 2; i < 1000; i++) {
            deliver(0, i);
        }

        RetainedResult.Received r = received(1000);
        assertThat(outbound()).isEmpty(); // QoS 0: nothing to acknowledge
        assertThat(r.observed().notRetained()).isEqualTo(1);
        assertThat(r.observed().mismatched()).isEqualTo(1);
        assertThat(r.missing()).isEqualTo(1); // message 1 never came
        assertThat(r.totals().duplicates()).isEqualTo(1); // message 2 came twice
        assertThat(r.clean(0)).isFalse();
    }

    @Test
    void theNarrowSubscriberExpectsItsBucketOnlyAndCountsOthersAsUnexpected() throws Exception {
        open(1, "--topics", "2500", "--narrow", "1", "--sub-qos", "2");
        connectAndSubscribe();

        deliver(1, 1000);
        channel.writeInbound(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 2),
                MqttMessageIdVariableHeader.from(1)));
        assertThat(outbound()).extracting(RetainedSubscriberTest::describe).containsExactly("PUBREC 1", "PUBCOMP 1");
        for (int i = 1001; i < 2000; i++) {
            deliver(2, i);
            channel.writeInbound(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 2),
                    MqttMessageIdVariableHeader.from(2)));
        }
        deliver(3, 5); // bucket 0 does not match bench/retained/1/+

        RetainedResult.Received r = received(1000);
        assertThat(r.totals().expected()).isEqualTo(1000);
        assertThat(r.totals().received()).isEqualTo(1000);
        assertThat(r.missing()).isZero();
        assertThat(r.totals().unexpected()).isEqualTo(1);
        assertThat(r.clean(2)).isFalse();
    }
}
