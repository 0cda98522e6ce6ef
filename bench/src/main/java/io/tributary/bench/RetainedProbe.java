package io.tributary.bench;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Watches a {@link SubscriberHandler} that receives a {@link RetainedTopics} set, from just in front
 * of it in the pipeline: when the SUBSCRIBE went out and the SUBACK came in, when the first PUBLISH
 * and the last first arrival came in (the subscriber counts first arrivals in {@code delivered}),
 * and which PUBLISH packets lack the RETAIN flag (MQTT-3.3.1-9: a retained message sent because of
 * a new subscription has it set) or carry a payload that is not the one of their topic. The
 * subscriber does the rest: acknowledging, and counting missing and duplicate messages per bucket.
 * Everything runs on the channel's event loop; the figures may be read from any thread.
 */
final class RetainedProbe extends ChannelDuplexHandler {

    /** Pipeline stage name, in front of {@link ClientGroup#CLIENT}. */
    static final String NAME = "retained-probe";

    private final RetainedTopics topics;
    private final LongAdder delivered;
    private final LongSupplier nanoClock;

    private volatile long subscribedNanos;
    private volatile long subAckNanos;
    private volatile long firstNanos;
    private volatile long lastNanos;
    private volatile long lastNewNanos;
    private volatile long publishes;
    private volatile long notRetained;
    private volatile long mismatched;

    RetainedProbe(RetainedTopics topics, LongAdder delivered, LongSupplier nanoClock) {
        this.topics = topics;
        this.delivered = delivered;
        this.nanoClock = nanoClock;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof MqttSubscribeMessage && subscribedNanos == 0) {
            subscribedNanos = nanoClock.getAsLong();
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof MqttSubAckMessage && subAckNanos == 0) {
            subAckNanos = nanoClock.getAsLong();
        }
        if (!(msg instanceof MqttPublishMessage p) || p.fixedHeader().messageType() != MqttMessageType.PUBLISH
                || p.decoderResult().isFailure()) {
            super.channelRead(ctx, msg);
            return;
        }
        long now = nanoClock.getAsLong();
        publishes++;
        if (firstNanos == 0) {
            firstNanos = now;
        }
        lastNanos = now;
        if (!p.fixedHeader().isRetain()) {
            notRetained++;
        }
        SequencedPayload.Header h = SequencedPayload.decode(p.payload());
        if (h == null || topics.index(p.variableHeader().topicName()) != RetainedTopics.index(h.publisher(), h.sequence())) {
            mismatched++;
        }
        long before = delivered.sum();
        super.channelRead(ctx, msg); // the subscriber acknowledges, accounts and releases it
        if (delivered.sum() > before) {
            lastNewNanos = now;
        }
    }

    /** The figures so far; times are {@link System#nanoTime()} values, 0 = not yet. */
    Observed observed() {
        return new Observed(subscribedNanos, subAckNanos, firstNanos, lastNanos, lastNewNanos, publishes, notRetained,
                mismatched);
    }

    /**
     * @param publishes   PUBLISH packets received (repeats included)
     * @param notRetained of those, without RETAIN
     * @param mismatched  of those, with a topic not in the set or a payload not of their topic
     */
    record Observed(long subscribedNanos, long subAckNanos, long firstNanos, long lastNanos, long lastNewNanos,
                    long publishes, long notRetained, long mismatched) {

        /** Milliseconds from the SUBSCRIBE to {@code nanos}, or null if either did not happen. */
        Double sinceSubscribe(long nanos) {
            return subscribedNanos == 0 || nanos == 0 ? null : (nanos - subscribedNanos) / 1e6;
        }
    }
}
