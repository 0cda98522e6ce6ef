package io.tributary.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The connection plumbing every bench connection shares: one event loop group (epoll when
 * available), the MQTT codec pipeline, keep-alive, waiting for readiness and closing. Publishers
 * and subscribers differ only in their {@link MqttClientHandler}.
 */
final class ClientGroup implements AutoCloseable {

    /** Pipeline stage names. */
    static final String DECODER = "decoder";
    static final String ENCODER = "encoder";
    static final String KEEPALIVE = "keepalive";
    static final String CLIENT = "client";

    private static final int MAX_INBOUND_PACKET = 1024 * 1024;
    private static final int MAX_CLIENT_ID = 256;

    private final BenchConfig config;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final String transport;
    private final List<MqttClientHandler> handlers = new ArrayList<>();
    private final List<Channel> channels = new ArrayList<>();

    ClientGroup(BenchConfig config) {
        this.config = config;
        boolean epoll = config.preferEpoll() && Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends SocketChannel> channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.transport = epoll ? "epoll" : "nio";
        this.group = new MultiThreadIoEventLoopGroup(config.threads(), io);
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024));
    }

    String transport() {
        return transport;
    }

    /** Opens a connection driven by {@code handler}; a failure to connect fails its {@code ready()}. */
    Channel connect(MqttClientHandler handler) {
        return connect(handler, config.port());
    }

    /** {@link #connect(MqttClientHandler)} to another port of the same host (another node). */
    Channel connect(MqttClientHandler handler, int port) {
        ChannelFuture f = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(DECODER, new MqttDecoder(MAX_INBOUND_PACKET, MAX_CLIENT_ID));
                ch.pipeline().addLast(ENCODER, MqttEncoder.INSTANCE);
                if (config.keepAliveSeconds() > 0) {
                    ch.pipeline().addLast(KEEPALIVE, new IdleStateHandler(0, Math.max(1, config.keepAliveSeconds() / 2), 0));
                }
                ch.pipeline().addLast(CLIENT, handler);
            }
        }).connect(config.host(), port);
        handlers.add(handler);
        channels.add(f.channel());
        f.addListener(done -> {
            if (!done.isSuccess()) {
                handler.connectFailed(done.cause());
            }
        });
        return f.channel();
    }

    /**
     * Waits for every handler to become ready, at most TCP connect timeout plus as long again (for
     * CONNACK, SUBACK). Returns one readable line per failure; empty when all are ready.
     */
    List<String> awaitReady(List<? extends MqttClientHandler> which) throws InterruptedException {
        long deadline = System.nanoTime() + 2 * config.connectTimeout().toNanos();
        List<String> failures = new ArrayList<>();
        for (MqttClientHandler h : which) {
            CompletableFuture<Void> ready = h.ready();
            try {
                ready.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | CompletionException e) {
                failures.add(e.getCause() == null ? e.toString() : e.getCause().getMessage());
            } catch (TimeoutException e) {
                failures.add(h.clientId() + ": no " + h.awaitedPacket() + " within "
                        + config.connectTimeout().multipliedBy(2).toSeconds() + " s");
            }
        }
        return failures;
    }

    static int countReady(List<? extends MqttClientHandler> which) {
        return (int) which.stream().filter(MqttClientHandler::isReady).count();
    }

    /** True when none of the given handlers' connections is open any more. */
    static boolean allClosed(List<? extends MqttClientHandler> which) {
        return which.stream().noneMatch(MqttClientHandler::isOpen);
    }

    /** Sends DISCONNECT on every connection, waits briefly for the closes, shuts the event loops down. */
    @Override
    public void close() {
        for (int i = 0; i < handlers.size(); i++) {
            Channel ch = channels.get(i);
            MqttClientHandler h = handlers.get(i);
            if (ch.isRegistered()) {
                ch.eventLoop().execute(h::close);
            }
        }
        for (Channel ch : channels) {
            ch.closeFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
