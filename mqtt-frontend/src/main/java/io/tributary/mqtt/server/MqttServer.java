package io.tributary.mqtt.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.tributary.mqtt.protocol.BrokerContext;
import io.tributary.mqtt.protocol.ConnectHandler;
import io.tributary.mqtt.session.ClientRegistry;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The MQTT listener: a Netty server whose channels start with the decoder, the encoder and a ConnectHandler. */
public final class MqttServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MqttServer.class);

    private final BrokerContext broker;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Class<? extends ServerChannel> channelClass;
    private final boolean epoll;
    private Channel serverChannel;

    /**
     * @param threads event loop threads for connections; 0 = number of cores
     * @param useEpoll use native epoll when the platform has it
     */
    public MqttServer(BrokerContext broker, int threads, boolean useEpoll) {
        this.broker = broker;
        this.epoll = useEpoll && Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        int workers = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        this.workerGroup = new MultiThreadIoEventLoopGroup(workers, io);
        this.channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** Binds and returns the address actually bound (port 0 picks a free port). */
    public InetSocketAddress start(String host, int port) throws InterruptedException {
        int maxPacketSize = broker.settings().maxPacketSize();
        int maxClientIdLength = broker.settings().maxClientIdLength();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(ChannelHandlerNames.MQTT_DECODER, new MqttDecoder(maxPacketSize, maxClientIdLength))
                                .addLast(ChannelHandlerNames.MQTT_ENCODER, MqttEncoder.INSTANCE)
                                .addLast(ChannelHandlerNames.CONNECT, new ConnectHandler(broker));
                    }
                });
        try {
            serverChannel = bootstrap.bind(host, port).sync().channel();
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen for MQTT on " + host + ":" + port
                    + " (setting mqtt.port / mqtt.host): " + e.getMessage(), e);
        }
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        log.info("MQTT listening on {}:{} ({})", host, bound.getPort(), epoll ? "epoll" : "nio");
        return bound;
    }

    /** Stops accepting, tells connected clients the server shuts down (MQTT 5: 0x8B), and stops the event loops. */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        for (ClientRegistry.Connection connection : broker.registry().connections()) {
            connection.serverShuttingDown();
        }
        bossGroup.shutdownGracefully(0, 2000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        // a short quiet period lets the DISCONNECTs queued above go out
        workerGroup.shutdownGracefully(100, 5000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
}
