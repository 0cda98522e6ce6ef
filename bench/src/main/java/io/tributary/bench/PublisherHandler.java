package io.tributary.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One publisher connection. Sends CONNECT when the channel becomes active, then, once started,
 * keeps writing PUBLISH as long as the channel is writable, the pacer says a message is due and
 * (QoS 1/2) the in-flight window has room. Everything runs on the channel's event loop.
 */
final class PublisherHandler extends ChannelInboundHandlerAdapter {

    /** Messages written per turn before yielding the event loop to the other connections. */
    static final int BATCH = 64;

    private final int index;
    private final BenchConfig config;
    private final BenchStats stats;
    private final LatencyRecorder latency;
    private final ByteBuf payload;
    private final LongSupplier nanoClock;
    private final String clientId;
    private final String topic;
    private final MqttQoS qos;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    // indexed by packet id: write time (0 = free) and whether the message is measured
    private final long[] sentAt = new long[65536];
    private final boolean[] measured = new boolean[65536];
    private int nextId = 1;
    private int inflight;
    private int window;

    private ChannelHandlerContext ctx;
    private RatePacer pacer;
    private long sent;
    private boolean running;
    private boolean yieldPending;
    private boolean timerPending;
    private boolean closing;
    private boolean flushPending;
    private boolean pumping;
    private boolean repump;

    PublisherHandler(int index, BenchConfig config, BenchStats stats, LatencyRecorder latency,
                     ByteBuf payload, LongSupplier nanoClock) {
        this.index = index;
        this.config = config;
        this.stats = stats;
        this.latency = latency;
        this.payload = payload;
        this.nanoClock = nanoClock;
        this.clientId = config.clientId(index);
        this.topic = config.topic(index);
        this.qos = config.qos();
        this.window = config.maxInflight();
    }

    /** Completes when CONNACK accepted the connection; fails with a readable reason otherwise. */
    CompletableFuture<Void> ready() {
        return ready;
    }

    String clientId() {
        return clientId;
    }

    int window() {
        return window;
    }

    /** Connection could not be opened at all (called by the runner). */
    void connectFailed(Throwable cause) {
        fail(describe(cause));
    }

    private void fail(String reason) {
        ready.completeExceptionally(new ConnectFailure(clientId + ": " + reason));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        MqttMessageBuilders.ConnectBuilder connect = MqttMessageBuilders.connect()
                .protocolVersion(config.protocol())
                .clientId(clientId)
                .cleanSession(true)
                .keepAlive(config.keepAliveSeconds());
        if (config.username() != null) {
            connect.hasUser(true).username(config.username());
        }
        if (config.password() != null) {
            connect.hasPassword(true).password(config.password());
        }
        ctx.writeAndFlush(connect.build());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof MqttMessage m) {
                onMessage(m);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onMessage(MqttMessage m) {
        if (m.decoderResult().isFailure()) {
            stats.errors.increment();
            fail("malformed packet from broker: " + m.decoderResult().cause());
            report("malformed packet from broker: " + m.decoderResult().cause());
            close();
            return;
        }
        switch (m.fixedHeader().messageType()) {
            case CONNACK -> onConnAck((MqttConnAckMessage) m);
            case PUBACK, PUBCOMP -> onAck(m);
            case PUBREC -> onPubRec(m);
            case DISCONNECT -> onServerDisconnect(m);
            case PINGRESP -> { }
            default -> {
                stats.errors.increment();
                report("unexpected " + m.fixedHeader().messageType() + " from broker");
            }
        }
    }

    private void onConnAck(MqttConnAckMessage m) {
        MqttConnectReturnCode code = m.variableHeader().connectReturnCode();
        if (code != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
            fail("CONNECT refused by broker: " + code + String.format(" (0x%02X)", code.byteValue()));
            close();
            return;
        }
        if (config.protocol() == MqttVersion.MQTT_5) {
            MqttProperties.MqttProperty<?> receiveMax = m.variableHeader().properties()
                    .getProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value());
            if (receiveMax != null && receiveMax.value() instanceof Integer max && max > 0) {
                window = Math.min(window, max); // MQTT-3.3.4-7: never exceed the server's Receive Maximum
            }
        }
        ready.complete(null);
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

    private void onServerDisconnect(MqttMessage m) {
        String reason = m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h
                ? String.format(" with reason code 0x%02X", h.reasonCode()) : "";
        report("broker sent DISCONNECT" + reason);
    }

    private static boolean isNegative(MqttMessage m) {
        return (reasonCode(m) & 0xFF) >= 0x80;
    }

    private static byte reasonCode(MqttMessage m) {
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader h ? h.reasonCode() : 0;
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

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.writeAndFlush(MqttMessage.PINGREQ);
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Runs {@code task} on this connection's event loop. */
    void ctxExecute(Runnable task) {
        ctx.executor().execute(task);
    }

    /** Starts publishing; call on the channel's event loop. */
    void start() {
        if (!ready.isDone() || ready.isCompletedExceptionally() || !ctx.channel().isActive()) {
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
        sent++;
        stats.sentTotal.increment();
        if (measuring) {
            stats.published.increment();
        }
        // the encoder releases the payload; the shared buffer is unreleasable, the duplicate keeps indexes apart
        ctx.write(MqttMessageBuilders.publish()
                .topicName(topic)
                .qos(qos)
                .retained(false)
                .messageId(id)
                .payload(payload.duplicate())
                .build());
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

    /** Sends DISCONNECT and closes; call on the event loop. */
    void close() {
        running = false;
        if (closing) {
            return;
        }
        closing = true;
        Channel ch = ctx.channel();
        if (ch.isActive() && ready.isDone() && !ready.isCompletedExceptionally()) {
            MqttMessage disconnect = config.protocol() == MqttVersion.MQTT_5
                    ? MqttMessageBuilders.disconnect().build() : MqttMessage.DISCONNECT;
            ch.writeAndFlush(disconnect).addListener(f -> ch.close());
        } else {
            ch.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        running = false;
        if (!ready.isDone()) {
            fail("connection closed by broker before CONNACK");
        } else if (!closing) {
            stats.disconnects.increment();
            report("connection lost after " + sent + " messages (" + inflight + " unacknowledged)");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (ready.isDone()) {
            stats.errors.increment();
            report(describe(cause));
        } else {
            fail(describe(cause));
        }
        close();
    }

    private void report(String what) {
        System.err.println("publisher " + index + " (" + clientId + "): " + what);
    }

    static String describe(Throwable cause) {
        Throwable c = cause;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String message = c.getMessage();
        return c.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** A publisher that never reached CONNACK accepted. */
    static final class ConnectFailure extends RuntimeException {
        ConnectFailure(String message) {
            super(message, null, false, false);
        }
    }
}
