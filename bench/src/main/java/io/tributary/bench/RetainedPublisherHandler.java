package io.tributary.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * One connection of the store phase: publishes the retained messages {@code [first, end)} of a
 * {@link RetainedTopics} set once each, RETAIN set, keeping its QoS 1/2 window full, and completes
 * {@link #stored()} with the time of the last acknowledgement (QoS 0: of the last write). Unlike
 * {@link PublisherHandler}, which publishes one topic for a time, this one publishes a fixed set
 * of topics and stops. Everything runs on the channel's event loop.
 */
final class RetainedPublisherHandler extends MqttClientHandler {

    private final RetainedTopics topics;
    private final SequencedPayload payloads;
    private final LongSupplier nanoClock;
    private final int first;
    private final int end;
    private final MqttQoS qos;
    private final boolean[] awaiting = new boolean[65536]; // by packet id
    private final CompletableFuture<Long> stored = new CompletableFuture<>();

    private int next;
    private int nextId = 1;
    private int inflight;
    private int window;
    private long settled;
    private long acknowledged;
    private boolean running;
    private boolean flushPending;
    private boolean pumpScheduled;

    RetainedPublisherHandler(int index, int first, int end, RetainedTopics topics, SequencedPayload payloads,
                             BenchConfig config, BenchStats stats, LongSupplier nanoClock) {
        super("publisher", index, config.clientId(index), config, stats);
        if (first < 0 || end <= first || end > topics.count()) {
            throw new IllegalArgumentException("bad range [" + first + ", " + end + ") of " + topics.count());
        }
        this.topics = topics;
        this.payloads = payloads;
        this.nanoClock = nanoClock;
        this.first = first;
        this.end = end;
        this.next = first;
        this.qos = config.qos();
        this.window = config.maxInflight();
    }

    /** Completes with the {@link System#nanoTime()} at which the last message was settled; fails if the connection is lost first. */
    CompletableFuture<Long> stored() {
        return stored;
    }

    int window() {
        return window;
    }

    /** Messages positively acknowledged (QoS 0: written). Read on the event loop. */
    long acknowledged() {
        return acknowledged;
    }

    int count() {
        return end - first;
    }

    @Override
    protected void onConnected(MqttConnAckMessage connAck) {
        if (config.protocol() == MqttVersion.MQTT_5
                && connAck.variableHeader().properties().getProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value())
                instanceof MqttProperties.IntegerProperty max && max.value() > 0) {
            window = Math.min(window, max.value()); // MQTT-3.3.4-7
        }
        markReady();
    }

    /** Starts publishing; call on the channel's event loop. */
    void start() {
        if (isReady() && ctx.channel().isActive()) {
            running = true;
            pump();
        }
    }

    private void pump() {
        boolean wrote = false;
        while (running && next < end && ctx.channel().isWritable() && (!config.acknowledged() || inflight < window)) {
            publish(next++);
            wrote = true;
        }
        if (wrote || flushPending) {
            flushPending = false;
            ctx.flush();
        }
    }

    private void publish(int i) {
        int id = 0;
        if (config.acknowledged()) {
            id = nextFreeId();
            awaiting[id] = true;
            inflight++;
        }
        MqttPublishMessage message = new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, false, qos, true, 0),
                new MqttPublishVariableHeader(topics.topic(i), id, MqttProperties.NO_PROPERTIES),
                payloads.encode(ctx.alloc(), RetainedTopics.bucket(i), RetainedTopics.position(i), nanoClock.getAsLong()));
        stats.sentTotal.increment();
        if (config.acknowledged()) {
            ctx.write(message);
            return;
        }
        ChannelPromise written = ctx.newPromise();
        written.addListener(f -> {
            if (f.isSuccess()) {
                settled(true);
            }
        });
        ctx.write(message, written);
    }

    private int nextFreeId() {
        // at most window (<= 65535) ids are in use
        while (awaiting[nextId]) {
            nextId = nextId == 65535 ? 1 : nextId + 1;
        }
        int id = nextId;
        nextId = id == 65535 ? 1 : id + 1;
        return id;
    }

    @Override
    protected boolean onPacket(MqttMessage m) {
        MqttMessageType type = m.fixedHeader().messageType();
        if (type != MqttMessageType.PUBACK && type != MqttMessageType.PUBREC && type != MqttMessageType.PUBCOMP) {
            return false;
        }
        int id = ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
        if (id <= 0 || id > 65535 || !awaiting[id]) {
            stats.errors.increment();
            report(type + " for unknown packet id " + id);
        } else if (isNegative(m)) {
            stats.errors.increment(); // MQTT 5: not stored, and the flow ends here
            report(type + " for packet " + id + " with reason code " + String.format("0x%02X", reasonCode(m)));
            release(id, false);
        } else if (type == MqttMessageType.PUBREC) {
            flushPending = true;
            ctx.write(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                    MqttMessageIdVariableHeader.from(id)));
        } else {
            release(id, true);
        }
        return true;
    }

    private void release(int id, boolean ok) {
        awaiting[id] = false;
        inflight--;
        settled(ok);
    }

    private void settled(boolean ok) {
        settled++;
        if (ok) {
            acknowledged++;
            stats.ackedTotal.increment();
        }
        if (settled == count()) {
            stored.complete(nanoClock.getAsLong());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        pump(); // the acknowledgements of this read freed window slots; also flushes the PUBRELs
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // may fire from inside our own flush: go round again later, not re-entrantly
        if (running && ctx.channel().isWritable() && !pumpScheduled) {
            pumpScheduled = true;
            ctx.executor().execute(() -> {
                pumpScheduled = false;
                pump();
            });
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    protected void onClosed() {
        running = false;
        if (!stored.isDone()) {
            stored.completeExceptionally(new IllegalStateException(clientId + ": connection closed " + lostState()));
        }
    }

    @Override
    protected String lostState() {
        return "after " + (next - first) + " of " + count() + " messages (" + inflight + " unacknowledged)";
    }
}
