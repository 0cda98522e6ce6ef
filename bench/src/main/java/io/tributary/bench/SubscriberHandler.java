package io.tributary.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * One subscriber connection: CONNECT, then SUBSCRIBE to one filter at the run's QoS; ready once the
 * SUBACK grants it (a reason code >= 0x80 fails the connection: "SUBSCRIBE refused: 0x80").
 * Acknowledges deliveries as the receiver (QoS 1: PUBACK; QoS 2: PUBREC, then PUBCOMP for the
 * broker's PUBREL) and hands each payload's header to its {@link DeliveryTracker}; first arrivals
 * of measured messages go into the end-to-end latency histogram.
 */
final class SubscriberHandler extends MqttClientHandler {

    static final int SUBSCRIBE_PACKET_ID = 1;

    private final String filter;
    private final E2eStats e2e;
    private final DeliveryTracker tracker;
    private final LatencyRecorder latency;
    private final LatencyRecorder portLatency; // null unless the run is spread over several ports
    private final LongSupplier nanoClock;
    // QoS 2 packet ids between our PUBREC and the broker's PUBREL: a PUBLISH re-sent with one of
    // them is the same message (MQTT-4.3.3), not a new delivery
    private final boolean[] awaitingRelease = new boolean[65536];

    private boolean flushPending;
    private long received;
    private int grantedQos = -1;
    private long subscribeNanos = -1;
    private long subAckNanos = -1;

    SubscriberHandler(int index, String clientId, String filter, BenchConfig config, E2eStats e2e,
                      DeliveryTracker tracker, LatencyRecorder latency, LongSupplier nanoClock) {
        this(index, clientId, filter, config, e2e, tracker, latency, null, nanoClock);
    }

    /** {@code portLatency}, if not null, records the same latencies as {@code latency}: the subscribers of one port. */
    SubscriberHandler(int index, String clientId, String filter, BenchConfig config, E2eStats e2e,
                      DeliveryTracker tracker, LatencyRecorder latency, LatencyRecorder portLatency,
                      LongSupplier nanoClock) {
        super("subscriber", index, clientId, config, e2e.subscribers);
        this.filter = filter;
        this.e2e = e2e;
        this.tracker = tracker;
        this.latency = latency;
        this.portLatency = portLatency;
        this.nanoClock = nanoClock;
    }

    String filter() {
        return filter;
    }

    /** QoS the broker granted, -1 before SUBACK. */
    int grantedQos() {
        return grantedQos;
    }

    DeliveryTracker tracker() {
        return tracker;
    }

    /** Nanoseconds from writing the SUBSCRIBE to reading its SUBACK, -1 before SUBACK (event loop). */
    long subAckNanos() {
        return subAckNanos < 0 || subscribeNanos < 0 ? -1 : subAckNanos - subscribeNanos;
    }

    @Override
    protected String awaitedPacket() {
        return "SUBACK";
    }

    @Override
    protected void onConnected(MqttConnAckMessage connAck) {
        subscribeNanos = nanoClock.getAsLong();
        ctx.writeAndFlush(MqttMessageBuilders.subscribe()
                .messageId(SUBSCRIBE_PACKET_ID)
                .addSubscription(config.qos(), filter)
                .build());
    }

    @Override
    protected boolean onPacket(MqttMessage m) {
        switch (m.fixedHeader().messageType()) {
            case SUBACK -> onSubAck((MqttSubAckMessage) m);
            case PUBLISH -> onPublish((MqttPublishMessage) m);
            case PUBREL -> onPubRel(m);
            default -> {
                return false;
            }
        }
        return true;
    }

    private void onSubAck(MqttSubAckMessage m) {
        subAckNanos = nanoClock.getAsLong();
        List<Integer> codes = m.payload().reasonCodes();
        int code = codes.isEmpty() ? 0x80 : codes.get(0) & 0xFF;
        if (code >= 0x80) {
            fail(String.format("SUBSCRIBE refused: 0x%02X (filter %s, QoS %d)", code, filter, config.qos().value()));
            close();
            return;
        }
        grantedQos = code;
        if (code < config.qos().value()) {
            report("broker granted QoS " + code + " for " + filter + ", requested " + config.qos().value());
        }
        markReady();
    }

    private void onPublish(MqttPublishMessage m) {
        long now = nanoClock.getAsLong();
        int id = m.variableHeader().packetId();
        MqttQoS qos = m.fixedHeader().qosLevel();
        boolean deliver = true;
        switch (qos) {
            case AT_LEAST_ONCE -> reply(MqttMessageType.PUBACK, id);
            case EXACTLY_ONCE -> {
                deliver = !awaitingRelease[id];
                awaitingRelease[id] = true;
                reply(MqttMessageType.PUBREC, id);
            }
            default -> { }
        }
        if (deliver) {
            account(SequencedPayload.decode(m.payload()), now);
        }
    }

    private void account(SequencedPayload.Header h, long now) {
        received++;
        if (h == null) {
            tracker.recordForeign();
            return;
        }
        if (tracker.record(h.publisher(), h.sequence()) != DeliveryTracker.Outcome.NEW) {
            return;
        }
        e2e.delivered.increment();
        if (e2e.phase() == BenchStats.Phase.MEASURE) {
            e2e.deliveredInWindow.increment();
        }
        boolean measured = e2e.measured(h.sentNanos());
        latency.record(now - h.sentNanos(), measured);
        if (portLatency != null) {
            portLatency.record(now - h.sentNanos(), measured);
        }
    }

    private void onPubRel(MqttMessage m) {
        int id = ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
        awaitingRelease[id] = false;
        reply(MqttMessageType.PUBCOMP, id);
    }

    private void reply(MqttMessageType type, int id) {
        flushPending = true;
        ctx.write(new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(id)));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (flushPending) {
            flushPending = false;
            ctx.flush(); // the acknowledgements of this read, in one go
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    protected String lostState() {
        return "after receiving " + received + " messages";
    }
}
