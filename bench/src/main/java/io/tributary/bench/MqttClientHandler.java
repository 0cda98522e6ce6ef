package io.tributary.bench;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;

import java.util.concurrent.CompletableFuture;

/**
 * What every bench connection does the same way, publisher or subscriber: CONNECT when the
 * channel becomes active, CONNACK, keep-alive pings, malformed packets, DISCONNECT from the
 * broker, closing, and a {@link #ready()} future that fails with a readable reason. Subclasses
 * handle the other packets and say when the connection is ready (after CONNACK, or after SUBACK).
 * Everything runs on the channel's event loop.
 */
abstract class MqttClientHandler extends ChannelInboundHandlerAdapter {

    protected final String role;
    protected final int index;
    protected final BenchConfig config;
    protected final BenchStats stats;
    protected final String clientId;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    protected volatile ChannelHandlerContext ctx;
    private boolean closing;

    MqttClientHandler(String role, int index, String clientId, BenchConfig config, BenchStats stats) {
        this.role = role;
        this.index = index;
        this.clientId = clientId;
        this.config = config;
        this.stats = stats;
    }

    /** Completes when the connection is usable; fails with a readable reason otherwise. */
    final CompletableFuture<Void> ready() {
        return ready;
    }

    final boolean isReady() {
        return ready.isDone() && !ready.isCompletedExceptionally();
    }

    /** The channel exists and is connected (callable from any thread). */
    final boolean isOpen() {
        ChannelHandlerContext c = ctx;
        return c != null && c.channel().isActive();
    }

    final String clientId() {
        return clientId;
    }

    /** Connection could not be opened at all (called by the runner). */
    final void connectFailed(Throwable cause) {
        fail(describe(cause));
    }

    protected final void fail(String reason) {
        ready.completeExceptionally(new ConnectFailure(clientId + ": " + reason));
    }

    protected final void markReady() {
        ready.complete(null);
    }

    /** Runs {@code task} on this connection's event loop. */
    final void ctxExecute(Runnable task) {
        ctx.executor().execute(task);
    }

    final EventExecutor executor() {
        return ctx.executor();
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
            case DISCONNECT -> onServerDisconnect(m);
            case PINGRESP -> { }
            default -> {
                if (!onPacket(m)) {
                    stats.errors.increment();
                    report("unexpected " + m.fixedHeader().messageType() + " from broker");
                }
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
        onConnected(m);
    }

    /** CONNACK accepted the connection: complete {@link #ready()} (here or later). */
    protected abstract void onConnected(MqttConnAckMessage connAck);

    /** Any packet but CONNACK, DISCONNECT and PINGRESP; false if this role does not expect it. */
    protected abstract boolean onPacket(MqttMessage m);

    /** A few words on the state when the broker closed the connection, for the report. */
    protected abstract String lostState();

    /** The packet that makes this connection ready, for messages. */
    protected String awaitedPacket() {
        return "CONNACK";
    }

    /** Called when the channel closes, whoever closed it. */
    protected void onClosed() {
    }

    private void onServerDisconnect(MqttMessage m) {
        String reason = m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h
                ? String.format(" with reason code 0x%02X", h.reasonCode()) : "";
        report("broker sent DISCONNECT" + reason);
    }

    protected static boolean isNegative(MqttMessage m) {
        return (reasonCode(m) & 0xFF) >= 0x80;
    }

    protected static byte reasonCode(MqttMessage m) {
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader h ? h.reasonCode() : 0;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.writeAndFlush(MqttMessage.PINGREQ);
        }
        ctx.fireUserEventTriggered(evt);
    }

    protected final boolean closing() {
        return closing;
    }

    /** Sends DISCONNECT and closes; call on the event loop. */
    void close() {
        onClosed();
        if (closing) {
            return;
        }
        closing = true;
        Channel ch = ctx.channel();
        if (ch.isActive() && isReady()) {
            MqttMessage disconnect = config.protocol() == MqttVersion.MQTT_5
                    ? MqttMessageBuilders.disconnect().build() : MqttMessage.DISCONNECT;
            ch.writeAndFlush(disconnect).addListener(f -> ch.close());
        } else {
            ch.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        onClosed();
        if (!ready.isDone()) {
            fail("connection closed by broker before " + awaitedPacket());
        } else if (!closing) {
            stats.disconnects.increment();
            report("connection lost " + lostState());
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

    protected final void report(String what) {
        System.err.println(role + " " + index + " (" + clientId + "): " + what);
    }

    static String describe(Throwable cause) {
        Throwable c = cause;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String message = c.getMessage();
        return c.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** A connection that never became ready (refused, not answered, or its SUBSCRIBE refused). */
    static final class ConnectFailure extends RuntimeException {
        ConnectFailure(String message) {
            super(message, null, false, false);
        }
    }
}
