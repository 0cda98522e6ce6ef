package io.tributary.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
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

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One publisher connection. Sends CONNECT when the channel becomes active, then, once started,
 * keeps writing PUBLISH as long as the channel is writable, the pacer says a message is due and
 * (QoS 1/2) the in-flight window has room. Everything runs on the channel's event loop.
 */
final class PublisherHandler extends MqttClientHandler {

    /** Messages written per turn before yielding the event loop to the other connections. */
    static final int BATCH = 64;

    /** What goes into each PUBLISH: a fresh or shared buffer the encoder may release. */
    @FunctionalInterface
    interface PayloadSource {
        ByteBuf payload(ByteBufAllocator alloc, int publisher, long sequence, long nowNanos);
    }

    private final LatencyRecorder latency;
    private final PayloadSource payloads;
    private final LongSupplier nanoClock;
    private final String topic;
    private final MqttQoS qos;

    // indexed by packet id: write time (0 = free) and whether the message is measured
    private final long[] sentAt = new long[65536];
    private final boolean[] measured = new boolean[65536];
    private int nextId = 1;
    private int inflight;
    private int window;

    private RatePacer pacer;
    private long sent;
    private boolean running;
    private boolean yieldPending;
    private boolean timerPending;
    private boolean flushPending;
    private boolean pumping;
    private boolean repump;

    /** Every PUBLISH carries (a view of) the same {@code payload}, which must be unreleasable. */
    PublisherHandler(int index, BenchConfig config, BenchStats stats, LatencyRecorder latency,
                     ByteBuf payload, LongSupplier nanoClock) {
        // the encoder releases the payload; the shared buffer is unreleasable, the duplicate keeps indexes apart
        this(index, config, stats, latency, (alloc, publisher, sequence, now) -> payload.duplicate(), nanoClock);
    }

    PublisherHandler(int index, BenchConfig config, BenchStats stats, LatencyRecorder latency,
                     PayloadSource payloads, LongSupplier nanoClock) {
        super("publisher", index, config.clientId(index), config, stats);
        this.latency = latency;
        this.payloads = payloads;
        this.nanoClock = nanoClock;
        this.topic = config.topic(index);
        this.qos = config.qos();
        this.window = config.maxInflight();
    }

    String topic() {
        return topic;
    }

    int window() {
        return window;
    }

    /** Messages written so far, in any phase; the next sequence number. Read on the event loop. */
    long sent() {
        return sent;
    }

    @Override
    protected boolean onPacket(MqttMessage m) {
        switch (m.fixedHeader().messageType()) {
            case PUBACK, PUBCOMP -> onAck(m);
            case PUBREC -> onPubRec(m);
            default -> {
                return false;
            }
        }
        return true;
    }

    @Override
    protected void onConnected(MqttConnAckMessage m) {
        if (config.protocol() == MqttVersion.MQTT_5) {
            MqttProperties.MqttProperty<?> receiveMax = m.variableHeader().properties()
                    .getProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value());
            if (receiveMax != null && receiveMax.value() instanceof Integer max && max > 0) {
                window = Math.min(window, max); // MQTT-3.3.4-7: never exceed the server's Receive Maximum
            }
        }
        markReady();
    }

    private void onAck(MqttMessage m) {
        int id = ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
        if (isNegative(m)) {
            stats.errors.increment();
            report(m.fixedHeader().messageType() + " for packet " + id + " with reason code "
                    + String.format("0x%02X", reasonCode(m)));
        }
        complete(id);
    }

    private void onPubRec(MqttMessage m) {
        int id = ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
        if (isNegative(m)) {
            // MQTT 5: a PUBREC >= 0x80 ends the QoS 2 flow; no PUBREL
            stats.errors.increment();
            report("PUBREC for packet " + id + " with reason code " + String.format("0x%02X", reasonCode(m)));
            complete(id);
            return;
        }
        flushPending = true;
        ctx.write(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(id)));
    }

    private void complete(int id) {
        long t = id > 0 ? sentAt[id] : 0;
        if (t == 0) {
            stats.errors.increment();
            report("acknowledgement for unknown packet id " + id);
            return;
        }
        sentAt[id] = 0;
        inflight--;
        boolean wasMeasured = measured[id];
        stats.ackedTotal.increment();
        if (stats.phase() == BenchStats.Phase.MEASURE) {
            stats.ackedInWindow.increment();
        }
        if (wasMeasured) {
            stats.acked.increment();
        }
        latency.record(nanoClock.getAsLong() - t, wasMeasured);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // acks of this read freed window slots: refill (one flush for the whole batch)
        if (running) {
            pump();
        }
        if (flushPending) {
            flushPending = false;
            ctx.flush(); // PUBRELs
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (running && ctx.channel().isWritable()) {
            pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Starts publishing; call on the channel's event loop. */
    void start() {
        if (!isReady() || !ctx.channel().isActive()) {
            return;
        }
        pacer = new RatePacer(config.ratePerPublisher(), nanoClock.getAsLong());
        running = true;
        pump();
    }

    /** Writes as many messages as allowed now, then arranges to be called again. */
    void pump() {
        if (pumping) {
            // re-entered from a write or flush (writability change): let the outer call go round again
            repump = true;
            return;
        }
        pumping = true;
        try {
            do {
                repump = false;
                pumpOnce();
            } while (repump && running);
        } finally {
            pumping = false;
        }
    }

    private void pumpOnce() {
        if (!running) {
            return;
        }
        if (!stats.publishing() || !ctx.channel().isActive()) {
            running = false;
            ctx.flush();
            return;
        }
        Channel ch = ctx.channel();
        long now = nanoClock.getAsLong();
        long due = pacer.dueBy(now);
        int written = 0;
        while (written < BATCH && sent < due && ch.isWritable() && (!config.acknowledged() || inflight < window)) {
            publishOne(now);
            written++;
        }
        if (written > 0 || flushPending) {
            flushPending = false;
            ctx.flush();
        }
        if (!ch.isWritable()) {
            return; // channelWritabilityChanged resumes
        }
        if (config.acknowledged() && inflight >= window) {
            return; // channelReadComplete resumes
        }
        if (sent < due) {
            // batch exhausted: let the other channels of this event loop have their turn
            if (!yieldPending) {
                yieldPending = true;
                ch.eventLoop().execute(() -> {
                    yieldPending = false;
                    pump();
                });
            }
        } else if (!timerPending) {
            timerPending = true;
            ch.eventLoop().schedule(() -> {
                timerPending = false;
                pump();
            }, Math.max(1000, pacer.nanosUntilDue(sent, now)), TimeUnit.NANOSECONDS);
        }
    }

    private void publishOne(long now) {
        boolean measuring = stats.phase() == BenchStats.Phase.MEASURE;
        int id = 0;
        if (config.acknowledged()) {
            id = nextFreeId();
            sentAt[id] = Math.max(1, now); // 0 marks a free slot
            measured[id] = measuring;
            inflight++;
        }
        ByteBuf payload = payloads.payload(ctx.alloc(), index, sent, now);
        sent++;
        stats.sentTotal.increment();
        if (measuring) {
            stats.published.increment();
        }
        // not MqttMessageBuilders.publish(): its build() copies the payload into a new heap buffer
        // (and leaves ours unreleased); the encoder releases the payload we hand it
        ctx.write(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, qos, false, 0),
                new MqttPublishVariableHeader(topic, id, MqttProperties.NO_PROPERTIES), payload));
    }

    private int nextFreeId() {
        // the window (<= 65535) guarantees a free id exists
        while (true) {
            int id = nextId;
            nextId = id == 65535 ? 1 : id + 1;
            if (sentAt[id] == 0) {
                return id;
            }
        }
    }

    /** Measured messages still waiting for their acknowledgement (read on the event loop). */
    int inflight() {
        return inflight;
    }

    @Override
    protected void onClosed() {
        running = false;
    }

    @Override
    protected String lostState() {
        return "after " + sent + " messages (" + inflight + " unacknowledged)";
    }
}
