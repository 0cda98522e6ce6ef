package io.tributary.mqtt.protocol;

import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.events.ClientEvents;
import io.tributary.bridge.routing.SubscriptionRouting;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.retained.RetainedIndex;
import io.tributary.bridge.retained.RetainedStore;
import java.util.function.Consumer;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.tributary.bridge.topic.SubscriptionTree;
import io.tributary.mqtt.auth.Authenticator;
import io.tributary.mqtt.delivery.LocalRouter;
import io.tributary.mqtt.delivery.SharedSubscriptions;
import io.tributary.mqtt.delivery.Subscriber;
import io.tributary.mqtt.delivery.Subscription;
import io.tributary.mqtt.server.ChannelHandlerNames;
import io.tributary.mqtt.session.ClientRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One server-side connection on an EmbeddedChannel with the production pipeline (decoder, encoder,
 * ConnectHandler) and an in-memory publisher. Raw bytes in; packets out, decoded as a client would.
 */
final class TestConnection {

    final ControllablePublisher publisher;
    final ClientRegistry registry;
    final ProtocolMetrics metrics = new ProtocolMetrics();
    final SubscriptionTree<Subscriber, Subscription> subscriptions;
    /** The sessions topic: claims are confirmed at once, with increasing epochs. */
    final TestSessionStore sessions;
    final TestReplay replay = new TestReplay();
    final LocalRouter router;
    /** Shares whose feeds the test drives by hand. */
    final TestSharedFeeds sharedFeeds;
    final SharedSubscriptions shared;
    final EmbeddedChannel channel;
    private final List<ByteBuf> inputs = new ArrayList<>();

    TestConnection() {
        this(ProtocolSettings.defaults(), Authenticator.allowAll());
    }

    /** Connections announced, as "connected|disconnected client epoch". */
    final List<String> announced = new ArrayList<>();
    private final ClientEvents events = new ClientEvents() {
        @Override
        public void connected(String clientId, long epoch, String username, int protocolVersion, String address) {
            announced.add("connected " + clientId + " " + epoch);
        }

        @Override
        public void disconnected(String clientId, long epoch, String username, int protocolVersion,
                                 String address) {
            announced.add("disconnected " + clientId + " " + epoch);
        }
    };

    /** Retained messages the connection serves to new subscriptions: put what a test needs. */
    final RetainedIndex<OutboundMessage> retained = new RetainedIndex<>();
    private final RetainedStore retainedStore = new RetainedStore() {
        @Override
        public void match(TopicFilter filter, Consumer<OutboundMessage> action) {
            retained.match(filter, action);
        }

        @Override
        public int size() {
            return retained.size();
        }
    };

    TestConnection(ProtocolSettings settings, Authenticator authenticator) {
        this(settings, authenticator, new ControllablePublisher(), new ClientRegistry());
    }

    TestConnection(ProtocolSettings settings, Authenticator authenticator, ControllablePublisher publisher,
                   ClientRegistry registry) {
        this(settings, authenticator, publisher, registry, new SubscriptionTree<>());
    }

    TestConnection(ProtocolSettings settings, Authenticator authenticator, ControllablePublisher publisher,
                   ClientRegistry registry, SubscriptionTree<Subscriber, Subscription> subscriptions) {
        this(settings, authenticator, publisher, registry, subscriptions, null, new TestSharedFeeds(),
                new TestSessionStore(), null);
    }

    /** A connection on the same node as others: shares registry, tree and shared subscriptions. */
    TestConnection(ProtocolSettings settings, Authenticator authenticator, ControllablePublisher publisher,
                   ClientRegistry registry, SubscriptionTree<Subscriber, Subscription> subscriptions,
                   SharedSubscriptions shared, TestSharedFeeds sharedFeeds) {
        this(settings, authenticator, publisher, registry, subscriptions, shared, sharedFeeds, new TestSessionStore(),
                null);
    }

    /** A connection of a node with everything given (null router: a new one over the tree). */
    TestConnection(ProtocolSettings settings, Authenticator authenticator, ControllablePublisher publisher,
                   ClientRegistry registry, SubscriptionTree<Subscriber, Subscription> subscriptions,
                   SharedSubscriptions shared, TestSharedFeeds sharedFeeds, TestSessionStore sessions,
                   LocalRouter router) {
        this.publisher = publisher;
        this.sessions = sessions;
        this.router = router != null ? router : new LocalRouter(subscriptions);
        this.registry = registry;
        this.subscriptions = subscriptions;
        this.sharedFeeds = sharedFeeds;
        this.shared = shared != null ? shared : new SharedSubscriptions(sharedFeeds);
        AtomicInteger ids = new AtomicInteger();
        BrokerContext broker = new BrokerContext(settings, authenticator, registry, publisher,
                () -> "auto-" + ids.incrementAndGet(), metrics, subscriptions, sessions, this.shared, this.router,
                replay, retainedStore, events, SubscriptionRouting.BROADCAST, "test-node");
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline()
                .addLast(ChannelHandlerNames.MQTT_DECODER,
                        new MqttDecoder(settings.maxPacketSize(), settings.maxClientIdLength()))
                .addLast(ChannelHandlerNames.MQTT_ENCODER, MqttEncoder.INSTANCE)
                .addLast(ChannelHandlerNames.CONNECT, new ConnectHandler(broker));
    }

    /** Sends raw bytes from the client and runs what the event loop has queued. */
    TestConnection send(byte[]... packets) {
        for (byte[] packet : packets) {
            ByteBuf buf = Unpooled.copiedBuffer(packet);
            inputs.add(buf);
            channel.writeInbound(buf);
        }
        channel.runPendingTasks();
        return this;
    }

    /** Runs tasks the Kafka side queued on the event loop (completions). */
    TestConnection runTasks() {
        channel.runPendingTasks();
        return this;
    }

    TestConnection advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
        return this;
    }

    /** The next packet the server wrote, as raw bytes; null if none. */
    byte[] nextBytes() {
        ByteBuf out = channel.readOutbound();
        if (out == null) {
            return null;
        }
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /** The next packet the server wrote, decoded as the client of the negotiated version would; null if none. */
    MqttMessage next() {
        byte[] bytes = nextBytes();
        if (bytes == null) {
            return null;
        }
        EmbeddedChannel client = new EmbeddedChannel(new MqttDecoder());
        MqttVersion version = channel.attr(ConnectHandler.CODEC_VERSION).get();
        client.attr(ConnectHandler.CODEC_VERSION).set(version == null ? MqttVersion.MQTT_3_1_1 : version);
        client.writeInbound(Unpooled.wrappedBuffer(bytes));
        MqttMessage message = client.readInbound();
        assertThat(message.decoderResult().isSuccess()).as("server packet decodes").isTrue();
        if (message instanceof MqttPublishMessage publish) {
            // hand the test a payload it need not release
            byte[] payload = ByteBufUtil.getBytes(publish.payload());
            publish.release();
            message = new MqttPublishMessage(publish.fixedHeader(), publish.variableHeader(),
                    Unpooled.wrappedBuffer(payload));
        }
        client.finishAndReleaseAll();
        return message;
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    /** Every buffer the client sent was released exactly once (no leak, no double release). */
    void assertNothingLeaked() {
        channel.finishAndReleaseAll();
        for (ByteBuf input : inputs) {
            assertThat(input.refCnt()).as("inbound buffer released").isZero();
        }
    }
}
