package io.tributary.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
import io.tributary.bench.LatencyRecorder.LatencySummary;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Connects the publishers, drives the phases (warm-up, measure, drain) and collects the result. */
final class BenchRunner {

    private static final int MAX_INBOUND_PACKET = 1024 * 1024;
    private static final int MAX_CLIENT_ID = 256;

    private final BenchConfig config;
    private final PrintStream progress; // null: no per-second lines
    private final BenchStats stats = new BenchStats();
    private final LatencyRecorder latency = new LatencyRecorder();

    BenchRunner(BenchConfig config, PrintStream progress) {
        this.config = config;
        this.progress = progress;
    }

    BenchResult run() throws InterruptedException {
        boolean epoll = config.preferEpoll() && Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends SocketChannel> channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        String transport = epoll ? "epoll" : "nio";
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.threads(), io);
        ByteBuf payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(config.payloadBytes())
                .writeBytes(payloadBytes(config.payloadBytes())));
        List<PublisherHandler> handlers = new ArrayList<>(config.publishers());
        List<Channel> channels = new ArrayList<>(config.publishers());
        try {
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channel(channelType)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024));
            for (int i = 0; i < config.publishers(); i++) {
                PublisherHandler handler = new PublisherHandler(i, config, stats, latency, payload, System::nanoTime);
                handlers.add(handler);
                ChannelFuture f = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("decoder", new MqttDecoder(MAX_INBOUND_PACKET, MAX_CLIENT_ID));
                        ch.pipeline().addLast("encoder", MqttEncoder.INSTANCE);
                        if (config.keepAliveSeconds() > 0) {
                            ch.pipeline().addLast("keepalive",
                                    new IdleStateHandler(0, Math.max(1, config.keepAliveSeconds() / 2), 0));
                        }
                        ch.pipeline().addLast("publisher", handler);
                    }
                }).connect(config.host(), config.port());
                channels.add(f.channel());
                f.addListener(done -> {
                    if (!done.isSuccess()) {
                        handler.connectFailed(done.cause());
                    }
                });
            }

            List<String> failures = awaitConnected(handlers);
            if (!failures.isEmpty()) {
                return result(transport, handlers, failures, 0, LatencySummary.EMPTY);
            }
            int window = handlers.stream().mapToInt(PublisherHandler::window).min().orElse(0);
            line(String.format(Locale.ROOT, "connected %d publishers to %s:%d (MQTT %s, %s, %d event loop%s%s)",
                    handlers.size(), config.host(), config.port(), config.protocolName(), transport, config.threads(),
                    config.threads() == 1 ? "" : "s",
                    config.acknowledged() ? ", window " + window : ""));

            stats.phase(config.warmup().isZero() ? BenchStats.Phase.MEASURE : BenchStats.Phase.WARMUP);
            for (PublisherHandler h : handlers) {
                h.ctxExecute(h::start);
            }
            long runStart = System.nanoTime();
            long measureStart = runStart + config.warmup().toNanos();
            long measureEnd = measureStart + config.duration().toNanos();
            long measureStartActual = stats.phase() == BenchStats.Phase.MEASURE ? runStart : 0;
            Ticker ticker = new Ticker(runStart);
            while (true) {
                long now = System.nanoTime();
                if (measureStartActual == 0 && now >= measureStart) {
                    stats.phase(BenchStats.Phase.MEASURE);
                    measureStartActual = now;
                }
                if (now >= measureEnd) {
                    break;
                }
                if (allClosed(channels)) {
                    line("all connections lost; stopping");
                    break;
                }
                ticker.sleepUntilNext(Math.min(measureEnd, measureStartActual == 0 ? measureStart : measureEnd));
                ticker.maybePrint();
            }
            stats.phase(BenchStats.Phase.DRAIN);
            long measureEndActual = System.nanoTime();
            double measuredSeconds = measureStartActual == 0 ? 0 : (measureEndActual - measureStartActual) / 1e9;

            if (config.acknowledged()) {
                long drainDeadline = System.nanoTime() + config.drainTimeout().toNanos();
                while (stats.acked() < stats.published() && System.nanoTime() < drainDeadline && !allClosed(channels)) {
                    Thread.sleep(10);
                }
                long missing = stats.published() - stats.acked();
                line(missing == 0 ? "drained: every measured message acknowledged"
                        : String.format(Locale.ROOT, "drain ended with %,d measured messages unacknowledged", missing));
            }
            stats.phase(BenchStats.Phase.DONE);
            LatencySummary summary = latency.measuredSummary();
            return result(transport, handlers, List.of(), measuredSeconds, summary);
        } finally {
            closeAll(handlers, channels);
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private BenchResult result(String transport, List<PublisherHandler> handlers, List<String> failures,
                               double measuredSeconds, LatencySummary summary) {
        int connected = (int) handlers.stream().filter(h -> h.ready().isDone() && !h.ready().isCompletedExceptionally()).count();
        int window = config.acknowledged() ? handlers.stream().mapToInt(PublisherHandler::window).min().orElse(0) : 0;
        return new BenchResult(config, transport, connected, window, measuredSeconds,
                stats.published(), stats.acked(), stats.ackedInWindow(), stats.errors(), stats.disconnects(),
                failures, summary);
    }

    private List<String> awaitConnected(List<PublisherHandler> handlers) throws InterruptedException {
        // TCP connect timeout plus as long again for the CONNACK
        long deadline = System.nanoTime() + 2 * config.connectTimeout().toNanos();
        List<String> failures = new ArrayList<>();
        for (PublisherHandler h : handlers) {
            CompletableFuture<Void> ready = h.ready();
            try {
                ready.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | CompletionException e) {
                failures.add(e.getCause() == null ? e.toString() : e.getCause().getMessage());
            } catch (TimeoutException e) {
                failures.add(h.clientId() + ": no CONNACK within " + config.connectTimeout().multipliedBy(2).toSeconds() + " s");
            }
        }
        return failures;
    }

    private static boolean allClosed(List<Channel> channels) {
        for (Channel c : channels) {
            if (c.isActive()) {
                return false;
            }
        }
        return true;
    }

    private static void closeAll(List<PublisherHandler> handlers, List<Channel> channels) {
        for (int i = 0; i < handlers.size(); i++) {
            Channel ch = channels.get(i);
            PublisherHandler h = handlers.get(i);
            if (ch.isRegistered()) {
                ch.eventLoop().execute(h::close);
            }
        }
        for (Channel ch : channels) {
            ch.closeFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /** Not all-zero so that compression somewhere on the path cannot flatter the figures. */
    static byte[] payloadBytes(int size) {
        byte[] bytes = new byte[size];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < size; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            bytes[i] = (byte) x;
        }
        return bytes;
    }

    private void line(String text) {
        if (progress != null) {
            progress.println(text);
            progress.flush();
        }
    }

    /** Prints one line per second with the interval's rates and latency. */
    private final class Ticker {
        private final long start;
        private long next;
        private long lastNanos;
        private long lastSent;
        private long lastAcked;

        Ticker(long start) {
            this.start = start;
            this.next = start + TimeUnit.SECONDS.toNanos(1);
            this.lastNanos = start;
        }

        void sleepUntilNext(long limit) throws InterruptedException {
            long wake = Math.min(next, limit);
            long nanos = wake - System.nanoTime();
            if (nanos > 0) {
                TimeUnit.NANOSECONDS.sleep(nanos);
            }
        }

        void maybePrint() {
            long now = System.nanoTime();
            if (now < next) {
                return;
            }
            next += TimeUnit.SECONDS.toNanos(1);
            double seconds = (now - lastNanos) / 1e9;
            long sent = stats.sentTotal();
            long acked = stats.ackedTotal();
            LatencySummary l = latency.takeInterval();
            if (progress != null) {
                String phase = stats.phase() == BenchStats.Phase.WARMUP ? "warm-up" : "measure";
                StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "[%4.0fs %-7s] pub %,10.0f/s",
                        (now - start) / 1e9, phase, (sent - lastSent) / seconds));
                if (config.acknowledged()) {
                    b.append(String.format(Locale.ROOT, "  ack %,10.0f/s  p50 %s ms  p99 %s ms  in flight %,d",
                            (acked - lastAcked) / seconds, BenchResult.ms(l.p50Micros()),
                            BenchResult.ms(l.p99Micros()), sent - acked));
                }
                progress.println(b);
                progress.flush();
            }
            lastNanos = now;
            lastSent = sent;
            lastAcked = acked;
        }
    }
}
