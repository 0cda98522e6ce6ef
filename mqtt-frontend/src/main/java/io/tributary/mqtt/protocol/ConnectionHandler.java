package io.tributary.mqtt.protocol;

import io.tributary.bridge.MessageProperties;

import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.CONTENT_TYPE;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.CORRELATION_DATA;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.PAYLOAD_FORMAT_INDICATOR;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.RESPONSE_TOPIC;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.SUBSCRIPTION_IDENTIFIER;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.TOPIC_ALIAS;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.USER_PROPERTY;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.EventExecutor;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.bridge.publish.PublishAck;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.publish.PublishFailedException;
import io.tributary.mqtt.delivery.Delivery;
import io.tributary.mqtt.delivery.OutboundFlow;
import io.tributary.mqtt.delivery.Subscriber;
import io.tributary.mqtt.delivery.Subscription;
import io.tributary.mqtt.protocol.ProtocolRules.Ack;
import io.tributary.mqtt.session.ClientRegistry;
import io.tributary.bridge.delivery.PartitionId;
import io.tributary.bridge.session.SessionState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connected client: inbound PUBLISH flows at QoS 0, 1 and 2, PINGREQ, DISCONNECT, and every protocol
 * violation after CONNECT. One instance per channel; all state is touched on the channel's event loop only.
 *
 * <p>PUBACK (QoS 1) and PUBREC (QoS 2) are written only when Kafka has acknowledged the record. Kafka
 * completions arrive on a producer thread; they are queued and drained on the event loop as one batch
 * with a single flush.
 */
public final class ConnectionHandler extends ChannelInboundHandlerAdapter
        implements ClientRegistry.Connection, Subscriber {

    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);

    private static final String SHARE_PREFIX = "$share/";
    private static final int PAUSED_FOR_KAFKA = 1;
    private static final int PAUSED_FOR_INFLIGHT = 2;

    private final BrokerContext broker;
    private final ProtocolRules rules;
    private final String clientId;
    private final String identity;
    private final boolean v5;
    /** What the client announced for the messages we send it. */
    private final OutboundFlow.ClientLimits clientLimits;
    private OutboundFlow outbound;
    private Session session;
    /** Session Expiry Interval in seconds (3.x: 0 for Clean Session 1, never for 0); > 0 keeps it in Kafka. */
    private long expirySeconds;
    /** The Will Message, published when the connection ends other than by a normal DISCONNECT; or null. */
    private InboundPublish will;
    /** Will Delay Interval in seconds (3.1.3.2.2). */
    private final long willDelaySeconds;
    /** A newer connection started a clean session: this one's session ends with it and is not written back. */
    private boolean sessionDiscarded;
    /** The connection ended while Kafka still had inbound publishes in flight: the release waits for them. */
    private Runnable releaseWhenSettled;
    private io.netty.util.concurrent.ScheduledFuture<?> checkpoints;
    /** This connection's subscriptions by filter, also in the node's subscription tree. */
    private final Map<String, Subscription> subscriptions = new HashMap<>();

    private final Channel channel;
    /** Set when the handler is installed, after the claim of the client id; until then the connection waits. */
    private ChannelHandlerContext ctx;
    /** The epoch of this node's claim of the client id (-1 until Kafka confirmed it). */
    private long epoch = -1;
    /** The newest claim of this client id seen in Kafka so far (its own included). */
    private long newestClaim = -1;
    /** This client's filters were written for routed mode (so its leaving will be too). */
    private boolean routed;
    /** The connection was announced in the events topic (so its end will be too). */
    private boolean announced;
    /** A takeover that arrived before the handler was installed. */
    private boolean takenOverEarly;
    /** Inbound QoS 2 packet ids between PUBLISH and PUBREL: false while Kafka has the record in flight. */
    private final IntObjectHashMap<Boolean> qos2Received = new IntObjectHashMap<>();
    /** QoS 1 and 2 publishes not yet completed towards the client (PUBACK / PUBCOMP), for Receive Maximum. */
    private int unacknowledged;
    /** QoS 1 and 2 publishes handed to Kafka and not yet completed. */
    private int awaitingKafka;
    private String[] topicAliases;
    private int pausedFor;
    private boolean closing;

    private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drainCompletions;

    /** Kafka's answer for one publish; {@code refusal}: its payload did not fit and went to the dead-letter topic. */
    private record Completion(int packetId, int qos, Throwable failure, String refusal) {
    }

    ConnectionHandler(BrokerContext broker, ProtocolRules rules, String clientId, String identity,
                      OutboundFlow.ClientLimits clientLimits, long expirySeconds, InboundPublish will,
                      long willDelaySeconds, Channel channel) {
        this.broker = broker;
        this.rules = rules;
        this.clientId = clientId;
        this.identity = identity;
        this.v5 = rules.version() == MqttVersion.MQTT_5;
        this.clientLimits = clientLimits;
        this.expirySeconds = expirySeconds;
        this.will = will;
        this.willDelaySeconds = willDelaySeconds;
        this.channel = channel;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public EventExecutor executor() {
        return channel.eventLoop();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ProtocolSettings settings = broker.settings();
        this.outbound = new OutboundFlow(ctx, clientLimits, settings.maxQueuedMessages(), settings.maxQueuedBytes(),
                broker.metrics(), System::currentTimeMillis);
        this.session = new Session(broker, clientId, ctx, outbound, subscriptions, () -> sessionState(null),
                () -> closeWith(MqttReasonCodes.Disconnect.SERVER_BUSY, "Kafka did not take the session state"));
        outbound.releaseGate(session::saved);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing) {
                return;
            }
            MqttMessage message = (MqttMessage) msg;
            if (message.decoderResult().isFailure()) {
                decodingFailed(message.decoderResult().cause());
                return;
            }
            switch (message.fixedHeader().messageType()) {
                case PUBLISH -> publish((MqttPublishMessage) message);
                case PUBREL -> pubRel(((MqttMessageIdVariableHeader) message.variableHeader()).messageId());
                case PINGREQ -> ctx.write(new MqttMessage(new MqttFixedHeader(
                        MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0)));
                case DISCONNECT -> disconnect(message);
                case SUBSCRIBE -> subscribe((MqttSubscribeMessage) message);
                case UNSUBSCRIBE -> unsubscribe((MqttUnsubscribeMessage) message);
                case PUBACK -> {
                    outbound.onPubAck(((MqttMessageIdVariableHeader) message.variableHeader()).messageId());
                    outbound.drain();
                    session.changed();
                    session.roomMade();
                }
                case PUBREC -> {
                    Object header = message.variableHeader();
                    int reason = header instanceof MqttPubReplyMessageVariableHeader reply ? reply.reasonCode() & 0xFF : 0;
                    outbound.onPubRec(((MqttMessageIdVariableHeader) header).messageId(), reason);
                    outbound.drain();
                    session.roomMade();
                }
                case PUBCOMP -> {
                    outbound.onPubComp(((MqttMessageIdVariableHeader) message.variableHeader()).messageId());
                    outbound.drain();
                    session.changed();
                    session.roomMade();
                }
                case CONNECT -> closeWith(MqttReasonCodes.Disconnect.PROTOCOL_ERROR, "second CONNECT"); // MQTT-3.1.0-2
                case AUTH -> closeWith(MqttReasonCodes.Disconnect.PROTOCOL_ERROR,
                        "AUTH without an Authentication Method in CONNECT"); // 4.12
                default -> closeWith(MqttReasonCodes.Disconnect.PROTOCOL_ERROR,
                        message.fixedHeader().messageType() + " is sent by servers only");
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    private void decodingFailed(Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            closeWith(MqttReasonCodes.Disconnect.PACKET_TOO_LARGE, // MQTT-3.1.2-? / 4.13: Packet too large
                    "packet exceeds " + broker.settings().maxPacketSize() + " bytes");
        } else if (cause instanceof DecoderException && String.valueOf(cause.getMessage())
                .startsWith("invalid publish topic name")) {
            closeWith(MqttReasonCodes.Disconnect.TOPIC_NAME_INVALID, "wildcard in topic name"); // MQTT-3.3.2-2
        } else {
            closeWith(MqttReasonCodes.Disconnect.MALFORMED_PACKET, cause.getMessage()); // 4.13.1
        }
    }

    // ---------------------------------------------------------------- inbound PUBLISH

    private void publish(MqttPublishMessage message) {
        MqttFixedHeader fixed = message.fixedHeader();
        MqttPublishVariableHeader header = message.variableHeader();
        int qos = fixed.qosLevel().value();
        int packetId = header.packetId();
        String topic = header.topicName();
        MqttProperties properties = header.properties();

        if (qos == 0 && fixed.isDup()) {
            closeWith(MqttReasonCodes.Disconnect.MALFORMED_PACKET, "DUP set on a QoS 0 PUBLISH"); // MQTT-3.3.1-2
            return;
        }
        if (v5) {
            if (properties.getProperty(SUBSCRIPTION_IDENTIFIER.value()) != null) {
                closeWith(MqttReasonCodes.Disconnect.PROTOCOL_ERROR,
                        "Subscription Identifier in PUBLISH from a client"); // MQTT-3.3.4-6
                return;
            }
            Integer alias = ConnectHandler.intProperty(properties, TOPIC_ALIAS);
            if (alias != null) {
                topic = resolveAlias(alias, topic);
                if (topic == null) {
                    return;
                }
            }
            MqttProperties.MqttProperty<?> responseTopic = properties.getProperty(RESPONSE_TOPIC.value());
            if (responseTopic != null && !ConnectHandler.isValidTopicName((String) responseTopic.value())) {
                closeWith(MqttReasonCodes.Disconnect.PROTOCOL_ERROR, "invalid Response Topic"); // MQTT-3.3.2-14
                return;
            }
            Integer format = ConnectHandler.intProperty(properties, PAYLOAD_FORMAT_INDICATOR);
            if (format != null && format > 1) {
                closeWith(MqttReasonCodes.Disconnect.PROTOCOL_ERROR, "Payload Format Indicator not 0 or 1");
                return;
            }
        }
        if (topic.isEmpty()) {
            // MQTT-4.7.3-1 (3.1.1); 3.3.2.3.4 (5.0: an empty Topic Name needs a Topic Alias)
            closeWith(MqttReasonCodes.Disconnect.PROTOCOL_ERROR, "empty topic name without topic alias");
            return;
        }
        broker.metrics().publishesReceived.increment();

        if (qos == 2) {
            Boolean stored = qos2Received.get(packetId);
            if (stored != null) {
                // MQTT-4.3.3-9 (5.0: -10): the packet id awaits PUBREL, this is the same message again.
                // Acknowledge (once Kafka has it) but never produce it twice.
                broker.metrics().qos2Duplicates.increment();
                if (stored) {
                    session.saved(() -> ctx.write(rules.reply(Ack.PUBREC, packetId, (byte) 0, null)));
                }
                return;
            }
        }
        if (qos > 0 && v5 && unacknowledged >= broker.settings().receiveMaximum()) {
            closeWith(MqttReasonCodes.Disconnect.RECEIVE_MAXIMUM_EXCEEDED,
                    "more than " + broker.settings().receiveMaximum() + " unacknowledged QoS 1/2 publishes"); // MQTT-3.3.4-9
            return;
        }

        InboundPublish inbound = new InboundPublish(topic, ByteBufUtil.getBytes(message.payload()), qos,
                fixed.isRetain(), clientId, identity, null, v5 ? passThrough(properties) : null);
        if (qos == 0) {
            broker.publisher().publish(inbound).whenComplete((ack, failure) -> {
                if (failure != null) {
                    broker.metrics().publishesFailed.increment(); // at most once: nothing more to do
                } else if (ack.refusal() != null) {
                    broker.metrics().publishesInvalid.increment(); // in the dead-letter topic
                }
            });
        } else {
            unacknowledged++;
            awaitingKafka++;
            if (qos == 2) {
                qos2Received.put(packetId, Boolean.FALSE);
            }
            broker.publisher().publish(inbound).whenComplete((ack, failure) -> completed(packetId, qos, ack, failure));
            if (awaitingKafka >= broker.settings().maxInflightPerConnection()) {
                pause(PAUSED_FOR_INFLIGHT);
            }
        }
        if ((pausedFor & PAUSED_FOR_KAFKA) == 0 && broker.publisher().saturated()) {
            pause(PAUSED_FOR_KAFKA);
            broker.publisher().whenRelieved(() -> ctx.executor().execute(() -> resume(PAUSED_FOR_KAFKA)));
        }
    }

    /** Resolves or sets an inbound topic alias (3.3.2.3.4); null after a violation closed the connection. */
    private String resolveAlias(int alias, String topic) {
        int maximum = broker.settings().topicAliasMaximum();
        if (alias == 0 || alias > maximum) {
            closeWith(MqttReasonCodes.Disconnect.TOPIC_ALIAS_INVALID,
                    "topic alias " + alias + " outside 1.." + maximum); // MQTT-3.3.2-8, -9
            return null;
        }
        if (topicAliases == null) {
            topicAliases = new String[maximum + 1];
        }
        if (topic.isEmpty()) {
            String known = topicAliases[alias];
            if (known == null) {
                closeWith(MqttReasonCodes.Disconnect.PROTOCOL_ERROR, "unknown topic alias " + alias);
                return null;
            }
            return known;
        }
        topicAliases[alias] = topic;
        return topic;
    }

    static MessageProperties passThrough(MqttProperties properties) {
        if (properties.isEmpty()) {
            return MessageProperties.NONE;
        }
        MqttProperties.MqttProperty<?> contentType = properties.getProperty(CONTENT_TYPE.value());
        MqttProperties.MqttProperty<?> responseTopic = properties.getProperty(RESPONSE_TOPIC.value());
        MqttProperties.MqttProperty<?> correlation = properties.getProperty(CORRELATION_DATA.value());
        Integer expiry = ConnectHandler.intProperty(properties, PUBLICATION_EXPIRY_INTERVAL);
        List<Map.Entry<String, String>> userProperties = List.of();
        List<? extends MqttProperties.MqttProperty> users = properties.getProperties(USER_PROPERTY.value());
        if (!users.isEmpty()) {
            userProperties = new ArrayList<>(users.size());
            for (MqttProperties.MqttProperty<?> user : users) {
                MqttProperties.StringPair pair = (MqttProperties.StringPair) user.value();
                userProperties.add(Map.entry(pair.key, pair.value));
            }
        }
        return new MessageProperties(
                ConnectHandler.intProperty(properties, PAYLOAD_FORMAT_INDICATOR),
                contentType == null ? null : (String) contentType.value(),
                expiry == null ? null : Integer.toUnsignedLong(expiry),
                responseTopic == null ? null : (String) responseTopic.value(),
                correlation == null ? null : (byte[]) correlation.value(),
                userProperties);
    }

    /** Called on a Kafka thread. */
    private void completed(int packetId, int qos, PublishAck ack, Throwable failure) {
        completions.add(new Completion(packetId, qos, failure, ack == null ? null : ack.refusal()));
        if (drainScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(drain);
        }
    }

    private void drainCompletions() {
        drainScheduled.set(false);
        boolean wrote = false;
        Completion completion;
        while ((completion = completions.poll()) != null) {
            awaitingKafka--;
            wrote |= complete(completion);
        }
        if (wrote) {
            ctx.flush();
        }
        if (awaitingKafka < broker.settings().maxInflightPerConnection()) {
            resume(PAUSED_FOR_INFLIGHT);
        }
        if (awaitingKafka == 0 && releaseWhenSettled != null) {
            Runnable release = releaseWhenSettled;
            releaseWhenSettled = null;
            release.run();
        }
    }

    /** Answers the client for one publish Kafka has finished with; true if something was written. */
    private boolean complete(Completion completion) {
        int packetId = completion.packetId();
        Ack ack = completion.qos() == 1 ? Ack.PUBACK : Ack.PUBREC;
        if (completion.failure() == null && completion.refusal() != null) {
            // the payload did not fit its rule's format; it is in the dead-letter topic, so nothing is lost
            broker.metrics().publishesInvalid.increment();
            if (rules.canRejectPublish() && !closing) {
                // MQTT 5: PUBACK / PUBREC 0x99 Payload format invalid; a PUBREC >= 0x80 ends the QoS 2 flow
                unacknowledged--;
                if (completion.qos() == 2) {
                    qos2Received.remove(packetId);
                }
                ctx.write(rules.reply(ack, packetId, MqttReasonCodes.PubAck.PAYLOAD_FORMAT_INVALID.byteValue(),
                        "payload does not fit the format of its topic: " + completion.refusal()));
                return true;
            }
            // MQTT 3.x has no way to say it: the message is acknowledged as stored (in the dead-letter topic)
        }
        if (completion.failure() == null) {
            broker.metrics().publishesAcknowledged.increment();
            if (completion.qos() == 1) {
                unacknowledged--;
                ctx.write(rules.reply(ack, packetId, (byte) 0, null));
                return true;
            }
            // stays until PUBREL; a persistent session records it in Kafka before PUBREC, so that the message
            // sent again after a reconnect, on any node, is recognised (MQTT-4.3.3-10)
            qos2Received.put(packetId, Boolean.TRUE);
            if (closing) {
                return false;
            }
            session.saved(() -> ctx.write(rules.reply(ack, packetId, (byte) 0, null)));
            return true;
        }
        broker.metrics().publishesFailed.increment();
        PublishFailedException failure = PublishFailedException.find(completion.failure());
        String reason = "Kafka did not take the message: "
                + (failure != null ? failure.getMessage() : completion.failure().toString());
        if (closing) {
            return false;
        }
        if (failure != null && !failure.transientFailure() && rules.canRejectPublish()) {
            // MQTT 5: refuse this message only (3.4.2.1 / 3.5.2.1 reason 0x80); the flow ends here
            unacknowledged--;
            if (completion.qos() == 2) {
                qos2Received.remove(packetId);
            }
            ctx.write(rules.reply(ack, packetId, MqttReasonCodes.PubAck.UNSPECIFIED_ERROR.byteValue(), reason));
            return true;
        }
        // Kafka unreachable or slow: never acknowledge. Closing makes the client send the message again
        // when it reconnects (MQTT-4.4.0-1), which is the only retry MQTT 3.x knows.
        log.warn("client '{}': {}; closing the connection so that the client retries", clientId, reason);
        closeWith(MqttReasonCodes.Disconnect.SERVER_BUSY, reason);
        return false;
    }

    private void pubRel(int packetId) {
        Boolean stored = qos2Received.get(packetId);
        if (stored == null) {
            // 4.3.3: PUBCOMP even for an unknown id; MQTT 5 says so with 0x92
            ctx.write(rules.reply(Ack.PUBCOMP, packetId,
                    MqttReasonCodes.PubComp.PACKET_IDENTIFIER_NOT_FOUND.byteValue(), null));
            return;
        }
        if (!stored) {
            closeWith(MqttReasonCodes.Disconnect.PROTOCOL_ERROR, "PUBREL before PUBREC for packet " + packetId);
            return;
        }
        qos2Received.remove(packetId);
        unacknowledged--;
        // a persistent session forgets the id in Kafka before PUBCOMP: the client may reuse it after that
        session.saved(() -> ctx.write(rules.reply(Ack.PUBCOMP, packetId, (byte) 0, null)));
    }

    // ---------------------------------------------------------------- other packets

    private void disconnect(MqttMessage message) {
        if (v5 && message.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader header) {
            Integer expiry = ConnectHandler.intProperty(header.properties(), SESSION_EXPIRY_INTERVAL);
            if (expiry != null) {
                if (expirySeconds == 0 && expiry != 0) {
                    // MQTT-3.14.2-2: a session that ends with the connection cannot be made to outlive it now
                    closeWith(MqttReasonCodes.Disconnect.PROTOCOL_ERROR, "Session Expiry Interval was 0");
                    return;
                }
                expirySeconds = Math.min(Integer.toUnsignedLong(expiry), broker.settings().maxSessionExpirySeconds());
                session.persistent(expirySeconds > 0);
            }
        }
        byte reason = message.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader header
                ? header.reasonCode() : 0;
        if (reason != MqttReasonCodes.Disconnect.DISCONNECT_WITH_WILL_MESSAGE.byteValue()) {
            will = null; // MQTT-3.14.4-3: a normal DISCONNECT discards the will
        }
        beginClosing(); // MQTT-3.14.4-1: the client closes; we close too
        ctx.close();
    }

    private void subscribe(MqttSubscribeMessage message) {
        int packetId = message.idAndPropertiesVariableHeader().messageId();
        List<MqttTopicSubscription> requested = message.payload().topicSubscriptions();
        if (requested.isEmpty()) {
            closeWith(MqttReasonCodes.Disconnect.PROTOCOL_ERROR, "SUBSCRIBE without topic filters"); // MQTT-3.8.3-3
            return;
        }
        int subscriptionId = 0;
        if (v5) {
            List<? extends MqttProperties.MqttProperty> ids = message.idAndPropertiesVariableHeader().properties()
                    .getProperties(SUBSCRIPTION_IDENTIFIER.value());
            if (ids.size() > 1 || (ids.size() == 1 && (Integer) ids.get(0).value() == 0)) {
                closeWith(MqttReasonCodes.Disconnect.PROTOCOL_ERROR, "bad Subscription Identifier"); // 3.8.2.1.2
                return;
            }
            subscriptionId = ids.isEmpty() ? 0 : (Integer) ids.get(0).value();
        }
        int[] codes = new int[requested.size()];
        List<CompletableFuture<Void>> joins = new ArrayList<>();
        List<Subscription> owedRetained = new ArrayList<>();
        for (int i = 0; i < codes.length; i++) {
            MqttTopicSubscription request = requested.get(i);
            String filter = request.topicFilter();
            MqttSubscriptionOption option = request.option();
            if (!v5 && (option.isNoLocal() || option.isRetainAsPublished() || option.retainHandling().value() != 0)) {
                closeWith(MqttReasonCodes.Disconnect.MALFORMED_PACKET, "reserved SUBSCRIBE option bits set"); // MQTT-3.8.3-4
                return;
            }
            boolean shared = filter.startsWith(SHARE_PREFIX);
            if (shared && option.isNoLocal()) {
                closeWith(MqttReasonCodes.Disconnect.PROTOCOL_ERROR, "No Local on a shared subscription"); // MQTT-3.8.3-4
                return;
            }
            Subscription subscription = subscription(filter, option.qos().value(), option.isNoLocal(),
                    option.isRetainAsPublished(), option.retainHandling().value(), subscriptionId);
            if (subscription == null) {
                // MQTT-4.8.2-1/-2 for shares, 4.7.1 otherwise
                codes[i] = v5 ? MqttReasonCodes.SubAck.TOPIC_FILTER_INVALID.byteValue() & 0xFF : 0x80;
                continue;
            }
            codes[i] = subscription.qos(); // we grant the QoS asked for (MQTT-3.8.4-6 .. -8)
            int index = i;
            // MQTT-3.3.1-9/-10/-11 (Retain Handling 0: always, 1: for a new subscription only, 2: never);
            // never for a shared subscription (4.8.2)
            int handling = subscription.retainHandling();
            if (!subscription.shared() && (handling == 0 || handling == 1 && !subscriptions.containsKey(filter))) {
                owedRetained.add(subscription);
            }
            CompletableFuture<Void> joined = add(filter, subscription);
            if (joined != null) {
                joins.add(joined.handle((ok, failure) -> {
                    if (failure != null) {
                        log.warn("client '{}': cannot join {}: {}", clientId, filter, failure.toString());
                        codes[index] = MqttReasonCodes.SubAck.UNSPECIFIED_ERROR.byteValue() & 0xFF;
                    }
                    return null;
                }));
            }
        }
        CompletableFuture<Void> routedHere = owedRoute(requested) ? route().toCompletableFuture() : null;
        if (routedHere != null && !routedHere.isDone()) {
            // routed mode: SUBACK once the fan-out app routes what is published from now on to this node
            joins.add(routedHere.handle((ok, failure) -> {
                if (failure != null) {
                    log.warn("client '{}': its subscriptions were not routed: {}", clientId, failure.toString());
                    for (int i = 0; i < codes.length; i++) {
                        if (codes[i] < 0x80 && !requested.get(i).topicFilter().startsWith(SHARE_PREFIX)) {
                            codes[i] = MqttReasonCodes.SubAck.UNSPECIFIED_ERROR.byteValue() & 0xFF;
                        }
                    }
                }
                return null;
            }));
        }
        // a share that is new on this node first joins its Kafka group, and a persistent session first records
        // its subscriptions in Kafka: SUBACK once messages will flow and the subscriptions survive the connection
        Runnable subAck = () -> session.saved(() -> {
            ctx.write(new MqttSubAckMessage(
                    new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                    new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                    new MqttSubAckPayload(codes)));
            sendRetained(owedRetained);
        });
        if (joins.isEmpty()) {
            subAck.run();
        } else {
            CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).whenComplete((ok, failure) ->
                    channel.eventLoop().execute(() -> {
                        if (!closing) {
                            subAck.run();
                            ctx.flush();
                        }
                    }));
        }
    }

    /** After SUBACK: the retained messages that match the new subscriptions, from this node's retained view. */
    private void sendRetained(List<Subscription> owed) {
        if (owed.isEmpty() || closing) {
            return;
        }
        List<Delivery> deliveries = new ArrayList<>();
        for (Subscription subscription : owed) {
            broker.retained().match(TopicFilter.parse(subscription.filter()),
                    message -> deliveries.add(Delivery.retained(message, subscription)));
        }
        broker.metrics().retainedSent.add(deliveries.size());
        outbound.deliverAtSubscribe(deliveries);
    }

    /**
     * The subscription to {@code filter} ({@code $share/{ShareName}/{filter}} included, 4.8.2; accepted from 3.1.1
     * clients too, as most brokers do), or null when the filter is not valid.
     */
    private static Subscription subscription(String filter, int qos, boolean noLocal, boolean retainAsPublished,
                                             int retainHandling, int subscriptionId) {
        String shareName = null;
        String topicFilter = filter;
        if (filter.startsWith(SHARE_PREFIX)) {
            int slash = filter.indexOf('/', SHARE_PREFIX.length());
            shareName = slash < 0 ? "" : filter.substring(SHARE_PREFIX.length(), slash);
            topicFilter = slash < 0 ? "" : filter.substring(slash + 1);
            if (shareName.isEmpty() || shareName.indexOf('+') >= 0 || shareName.indexOf('#') >= 0) {
                return null;
            }
        }
        if (!TopicFilter.isValid(topicFilter)) {
            return null;
        }
        return new Subscription(topicFilter, qos, noLocal, retainAsPublished, retainHandling, subscriptionId,
                shareName);
    }

    /**
     * Adds (MQTT-3.8.4-3: or replaces) a subscription; for a shared one returns when its share delivers here,
     * else null.
     */
    private CompletableFuture<Void> add(String filter, Subscription subscription) {
        subscriptions.put(filter, subscription);
        if (subscription.shared()) {
            return broker.shared().join(this, subscription).toCompletableFuture();
        }
        broker.subscriptions().put(filter, this, subscription);
        return null;
    }

    private void unsubscribe(MqttUnsubscribeMessage message) {
        List<String> filters = message.payload().topics();
        if (filters.isEmpty()) {
            closeWith(MqttReasonCodes.Disconnect.PROTOCOL_ERROR, "UNSUBSCRIBE without topic filters"); // MQTT-3.10.3-2
            return;
        }
        short[] codes = new short[filters.size()];
        for (int i = 0; i < codes.length; i++) {
            String filter = filters.get(i);
            Subscription removed = subscriptions.remove(filter);
            boolean existed = removed != null;
            if (existed) {
                forget(filter, removed); // MQTT-3.10.4-1
            }
            codes[i] = existed ? 0 : MqttReasonCodes.UnsubAck.NO_SUBSCRIPTION_EXISTED.byteValue();
        }
        if (routed) {
            route(); // nothing waits: a message routed here for a filter it no longer has is not delivered
        }
        MqttMessageBuilders.UnsubAckBuilder unsubAck = MqttMessageBuilders.unsubAck()
                .packetId(message.variableHeader().messageId());
        if (v5) {
            Short[] boxed = new Short[codes.length];
            for (int i = 0; i < codes.length; i++) {
                boxed[i] = codes[i];
            }
            unsubAck.addReasonCodes(boxed);
        }
        session.saved(() -> ctx.write(unsubAck.build()));
    }

    /** Whether a SUBSCRIBE with these filters changes what must be routed to this node. */
    private boolean owedRoute(List<MqttTopicSubscription> requested) {
        for (MqttTopicSubscription request : requested) {
            if (!request.topicFilter().startsWith(SHARE_PREFIX) && subscriptions.containsKey(request.topicFilter())) {
                return true;
            }
        }
        return false;
    }

    /** Tells the cluster the client's non-shared filters on this node (routed mode); broadcast: done at once. */
    private CompletionStage<Void> route() {
        List<String> filters = new ArrayList<>();
        subscriptions.forEach((filter, subscription) -> {
            if (!subscription.shared()) {
                filters.add(filter);
            }
        });
        if (filters.isEmpty() && !routed) {
            return CompletableFuture.completedFuture(null);
        }
        routed = true;
        return broker.routing().update(clientId, epoch, filters);
    }

    private void forget(String filter, Subscription subscription) {
        if (subscription.shared()) {
            broker.shared().leave(this, subscription.shareName(), subscription.filter());
        } else {
            broker.subscriptions().remove(filter, this);
        }
    }

    // ---------------------------------------------------------------- delivery to this client

    @Override
    public void deliver(List<Delivery> deliveries, long seq) {
        if (closing || ctx == null) {
            deliveries.forEach(Delivery::abandoned);
            return;
        }
        session.deliver(deliveries, seq);
        ctx.flush();
    }

    /**
     * From here on nothing more is delivered or sent: the session's positions and what is in flight stay as they
     * are now, and are what its last state says.
     */
    private void beginClosing() {
        if (!closing) {
            closing = true;
            if (session != null) {
                session.close();
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!closing && ctx.channel().isWritable()) {
            if (outbound.drain()) {
                ctx.flush();
            }
            session.roomMade();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Ends the connection, with a DISCONNECT carrying the reason where the version has one (MQTT 5). */
    private void closeWith(MqttReasonCodes.Disconnect reason, String why) {
        if (closing) {
            return;
        }
        beginClosing();
        if ((reason.byteValue() & 0xFF) >= 0x81 && (reason.byteValue() & 0xFF) <= 0x82
                || reason.byteValue() == MqttReasonCodes.Disconnect.TOPIC_NAME_INVALID.byteValue()
                || reason.byteValue() == MqttReasonCodes.Disconnect.TOPIC_ALIAS_INVALID.byteValue()
                || reason.byteValue() == MqttReasonCodes.Disconnect.PACKET_TOO_LARGE.byteValue()
                || reason.byteValue() == MqttReasonCodes.Disconnect.RECEIVE_MAXIMUM_EXCEEDED.byteValue()) {
            broker.metrics().protocolViolations.increment();
        }
        log.debug("client '{}': closing: {} ({})", clientId, reason, why);
        rules.disconnect(ctx, reason, why);
    }

    private void pause(int reason) {
        if (pausedFor == 0) {
            ctx.channel().config().setAutoRead(false);
            broker.metrics().pausedForBackPressure.increment();
        }
        pausedFor |= reason;
    }

    private void resume(int reason) {
        if ((pausedFor & reason) == 0) {
            return;
        }
        pausedFor &= ~reason;
        if (pausedFor == 0) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            // while we do not read (back-pressure) the client's packets cannot reach us: not its fault
            if (pausedFor == 0) {
                closeWith(MqttReasonCodes.Disconnect.KEEP_ALIVE_TIMEOUT, "keep alive timeout"); // MQTT-3.1.2-24
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        beginClosing();
        if (checkpoints != null) {
            checkpoints.cancel(false);
        }
        boolean stillOwner = broker.registry().unregister(clientId, this);
        subscriptions.forEach(this::forget);
        InboundPublish lastWill = will;
        will = null;
        if (epoch >= 0 && session.persistent() && !sessionDiscarded) {
            // the session outlives the connection: its last state is the release the next owner waits for
            // (MQTT-3.1.2-8 / 3.1.3.2.2: a will with a delay stays with it, published by whichever node looks
            // after offline sessions, unless the client comes back first)
            SessionState.StoredWill delayedWill = null;
            if (lastWill != null && willDelaySeconds > 0) {
                delayedWill = new SessionState.StoredWill(lastWill, willDelaySeconds);
                lastWill = null;
            }
            SessionState.StoredWill keptWill = delayedWill;
            Map<PartitionId, Long> positions = session.positions();
            List<SessionState.StoredInflight> inflight = outbound.inflightState();
            long endedAt = System.currentTimeMillis();
            Runnable release = () -> broker.sessions().save(epoch, sessionState(endedAt, positions, inflight,
                    keptWill)).whenComplete((ok, failure) -> {
                        if (failure != null) {
                            log.warn("client '{}': the last state of its session did not reach Kafka: {}", clientId,
                                    failure.toString());
                        }
                    });
            if (awaitingKafka == 0) {
                release.run();
            } else {
                releaseWhenSettled = release; // the QoS 2 ids that Kafka confirms meanwhile belong in it
            }
        } else if (epoch >= 0 && newestClaim <= epoch && stillOwner) {
            // the session ends with the connection: its claim goes too
            broker.sessions().remove(clientId);
        } else if (epoch >= 0 && !sessionDiscarded) {
            // taken over: a tombstone would remove the newer claim too; the release of a session that ended
            // with its connection (expiry 0) tells the next owner there is nothing to wait for or resume
            broker.sessions().save(epoch, new SessionState(clientId, broker.nodeId(), 0, System.currentTimeMillis(),
                    List.of(), Map.of(), List.of(), Set.of(), null));
        }
        outbound.abandonAll(); // after leaving the shares: what a share gave this client goes to its other members
        if (announced) {
            broker.events().disconnected(clientId, epoch, identity, rules.version().protocolLevel(),
                    remoteAddress());
        }
        if (routed) {
            broker.routing().left(clientId, epoch); // a newer connection's epoch wins over this late write
        }
        if (lastWill != null) {
            // MQTT-3.1.2-8: network failure, keep-alive timeout, protocol error, takeover or DISCONNECT 0x04;
            // published through Kafka like any message
            publishWill(broker, clientId, lastWill);
        }
        ctx.fireChannelInactive();
    }

    private String remoteAddress() {
        return channel.remoteAddress() instanceof java.net.InetSocketAddress address
                ? address.getHostString() + ":" + address.getPort() : null;
    }

    static void publishWill(BrokerContext broker, String clientId, InboundPublish will) {
        broker.publisher().publish(will).whenComplete((ack, failure) -> {
            if (failure != null) {
                log.warn("client '{}': the will on '{}' did not reach Kafka: {}", clientId, will.topic(),
                        failure.toString());
            }
        });
    }

    /** The session as it stands; {@code endedAt} null while connected. */
    private SessionState sessionState(Long endedAt) {
        SessionState.StoredWill storedWill = will == null ? null : new SessionState.StoredWill(will, willDelaySeconds);
        return sessionState(endedAt, session.positions(), outbound.inflightState(), storedWill);
    }

    private SessionState sessionState(Long endedAt, Map<PartitionId, Long> positions,
                                      List<SessionState.StoredInflight> inflight, SessionState.StoredWill storedWill) {
        List<SessionState.StoredSubscription> stored = new ArrayList<>(subscriptions.size());
        subscriptions.forEach((filter, s) -> stored.add(new SessionState.StoredSubscription(filter, s.qos(),
                s.noLocal(), s.retainAsPublished(), s.retainHandling(), s.subscriptionId())));
        Set<Integer> awaitingRelease = new HashSet<>();
        qos2Received.forEach((packetId, received) -> {
            if (received) {
                awaitingRelease.add(packetId);
            }
        });
        return new SessionState(clientId, broker.nodeId(), expirySeconds, endedAt, stored, positions, inflight,
                awaitingRelease, storedWill);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client '{}': {}", clientId, cause.toString());
        beginClosing();
        ctx.close();
    }

    /**
     * Installed: this node's claim of the client id has the given epoch, and {@code resumed} is the session it
     * continues (null for a new one). Restores the session's subscriptions and QoS 2 state, then starts delivery:
     * in-flight messages again, what the session missed, then live. On the event loop.
     */
    void start(long epoch, SessionState resumed) {
        this.epoch = epoch;
        if (takenOverEarly || newestClaim > epoch) {
            closeTakenOver();
            return;
        }
        session.attach();
        if (resumed != null) {
            for (SessionState.StoredSubscription stored : resumed.subscriptions()) {
                Subscription subscription = subscription(stored.filter(), stored.qos(), stored.noLocal(),
                        stored.retainAsPublished(), stored.retainHandling(), stored.subscriptionId());
                if (subscription != null) {
                    CompletableFuture<Void> joined = add(stored.filter(), subscription);
                    if (joined != null) {
                        joined.whenComplete((ok, failure) -> {
                            if (failure != null) {
                                log.warn("client '{}': cannot join {} again: {}", clientId, stored.filter(),
                                        failure.toString());
                            }
                        });
                    }
                }
            }
            for (int packetId : resumed.awaitingRelease()) {
                qos2Received.put(packetId, Boolean.TRUE); // MQTT-4.3.3-10: the same message again is not new
                unacknowledged++;
            }
        }
        session.start(epoch, expirySeconds > 0, resumed);
        CompletionStage<Void> routedHere = route();
        if (routedHere.toCompletableFuture().isDone() && !routedHere.toCompletableFuture().isCompletedExceptionally()) {
            goLive();
            return;
        }
        // routed mode: the session's catch-up ends, and live delivery begins, where the fan-out app routes its
        // subscriptions to this node
        routedHere.whenComplete((ok, failure) -> channel.eventLoop().execute(() -> {
            if (closing) {
                return;
            }
            if (failure != null) {
                closeWith(MqttReasonCodes.Disconnect.SERVER_BUSY, "subscriptions not routed: " + failure);
                return;
            }
            goLive();
            ctx.flush();
        }));
    }

    private void goLive() {
        boolean persistent = expirySeconds > 0;
        session.goLive();
        announced = true;
        broker.events().connected(clientId, epoch, identity, rules.version().protocolLevel(), remoteAddress());
        if (persistent) {
            session.checkpoint(); // this node's claim gets the session's state at once
            long interval = broker.settings().sessionCheckpointInterval().toMillis();
            // spread over the interval, so that sessions that connected together do not write together
            long first = interval / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(interval);
            checkpoints = ctx.executor().scheduleAtFixedRate(session::checkpoint, first, interval,
                    TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void takenOver(boolean sessionDiscarded) {
        channel.eventLoop().execute(() -> {
            this.sessionDiscarded |= sessionDiscarded;
            if (ctx == null) {
                takenOverEarly = true; // closed as soon as it is installed
            } else {
                closeTakenOver();
            }
        });
    }

    @Override
    public void claimSeen(long claimEpoch, boolean cleanStart) {
        channel.eventLoop().execute(() -> {
            newestClaim = Math.max(newestClaim, claimEpoch);
            if (epoch >= 0 && claimEpoch > epoch) {
                // a newer claim, on another node: that connection is the client now, and with a clean start the
                // session ends here (it is not written back)
                sessionDiscarded |= cleanStart;
                closeTakenOver();
            }
        });
    }

    private void closeTakenOver() {
        closeWith(MqttReasonCodes.Disconnect.SESSION_TAKEN_OVER,
                "another connection with this client identifier"); // MQTT-3.1.4-2 / 0x8E
    }

    @Override
    public void serverShuttingDown() {
        channel.eventLoop().execute(() -> {
            if (ctx != null) {
                closeWith(MqttReasonCodes.Disconnect.SERVER_SHUTTING_DOWN, null);
            }
        });
    }
}
