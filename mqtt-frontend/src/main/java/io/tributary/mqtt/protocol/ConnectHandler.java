package io.tributary.mqtt.protocol;

import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.AUTHENTICATION_DATA;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.AUTHENTICATION_METHOD;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.MAXIMUM_PACKET_SIZE;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.PAYLOAD_FORMAT_INDICATOR;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.REQUEST_PROBLEM_INFORMATION;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.REQUEST_RESPONSE_INFORMATION;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.TOPIC_ALIAS_MAXIMUM;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.WILL_DELAY_INTERVAL;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.bridge.session.SessionState;
import io.tributary.mqtt.auth.AuthResult;
import io.tributary.mqtt.delivery.OutboundFlow;
import io.tributary.mqtt.server.ChannelHandlerNames;
import io.tributary.mqtt.session.ClientRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prelude of every connection: waits (with a timeout) for CONNECT, checks it against the rules of its
 * protocol version, authenticates, answers CONNACK and then hands the channel to a {@link ConnectionHandler}.
 * One instance per channel.
 */
public final class ConnectHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ConnectHandler.class);

    /** The attribute Netty's MQTT codec keeps the negotiated version in (set while decoding CONNECT). */
    static final AttributeKey<MqttVersion> CODEC_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    private final BrokerContext broker;
    private ScheduledFuture<?> connectTimeout;
    /** Set once the outcome is decided; anything the client sent after CONNECT is then ignored here. */
    private boolean done;
    /** Packets that arrived while the claim of the client id was under way; null when none is. */
    private List<Object> pending;

    public ConnectHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            scheduleTimeout(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        scheduleTimeout(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePending();
        ctx.fireChannelInactive();
    }

    private void scheduleTimeout(ChannelHandlerContext ctx) {
        if (connectTimeout == null) {
            long millis = broker.settings().connectTimeout().toMillis();
            connectTimeout = ctx.executor().schedule(() -> {
                if (!done) {
                    log.debug("{}: no CONNECT within {} ms, closing", ctx.channel().remoteAddress(), millis);
                    done = true;
                    ctx.close();
                }
            }, millis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (pending != null) {
            pending.add(msg); // decoded after CONNECT while the claim is under way; replayed once it is done
            return;
        }
        try {
            if (done) {
                return;
            }
            if (!(msg instanceof MqttMessage message)) {
                closeNow(ctx);
                return;
            }
            if (message.decoderResult().isFailure()) {
                decodingFailed(ctx, message);
            } else if (message.fixedHeader().messageType() != MqttMessageType.CONNECT) {
                // MQTT-3.1.0-1: the first packet from the client MUST be CONNECT
                closeNow(ctx);
            } else {
                connect(ctx, (MqttConnectMessage) message);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void decodingFailed(ChannelHandlerContext ctx, MqttMessage message) {
        Throwable cause = message.decoderResult().cause();
        MqttFixedHeader header = message.fixedHeader();
        log.debug("{}: bad first packet: {}", ctx.channel().remoteAddress(), cause.toString());
        if (header == null || header.messageType() != MqttMessageType.CONNECT) {
            closeNow(ctx); // MQTT-3.1.0-1
            return;
        }
        MqttVersion version = ctx.channel().attr(CODEC_VERSION).get();
        ProtocolRules rules = ProtocolRules.forVersion(version == null ? MqttVersion.MQTT_3_1_1 : version, true);
        if (cause instanceof MqttUnacceptableProtocolVersionException) {
            if (!isMqttProtocolName(cause.getMessage())) {
                closeNow(ctx); // MQTT-3.1.2-1: not MQTT at all
            } else {
                // MQTT-3.1.2-2 (3.1.1) / 3.1.2.2 (5.0): answer 0x01 in the 3.1.1 format the client may understand
                refuse(ctx, ProtocolRules.forVersion(MqttVersion.MQTT_3_1_1, true),
                        ConnectRefusal.UNSUPPORTED_PROTOCOL_VERSION, null);
            }
        } else if (cause instanceof MqttIdentifierRejectedException) {
            refuse(ctx, rules, ConnectRefusal.CLIENT_ID_REJECTED, "client identifier not valid");
        } else if (cause instanceof TooLongFrameException) {
            refuse(ctx, rules, ConnectRefusal.PACKET_TOO_LARGE,
                    "CONNECT exceeds " + broker.settings().maxPacketSize() + " bytes");
        } else {
            // e.g. MQTT-3.1.2-3 reserved flag set, invalid UTF-8 (MQTT-1.5.3-1), bad remaining length
            refuse(ctx, rules, ConnectRefusal.MALFORMED_PACKET, cause.getMessage());
        }
    }

    private void connect(ChannelHandlerContext ctx, MqttConnectMessage connect) {
        MqttConnectVariableHeader header = connect.variableHeader();
        MqttConnectPayload payload = connect.payload();
        MqttVersion version = MqttVersion.fromProtocolNameAndLevel(header.name(), (byte) header.version());
        boolean v5 = version == MqttVersion.MQTT_5;
        MqttProperties properties = header.properties();
        ProtocolSettings settings = broker.settings();

        Integer problemInformation = v5 ? intProperty(properties, REQUEST_PROBLEM_INFORMATION) : null;
        ProtocolRules rules = ProtocolRules.forVersion(version, problemInformation == null || problemInformation == 1);

        // --- flags (MQTT-3.1.2-11 .. -15, -22)
        if (header.isWillFlag()) {
            if (header.willQos() > 2) {
                refuse(ctx, rules, ConnectRefusal.MALFORMED_PACKET, "will QoS 3"); // MQTT-3.1.2-14
                return;
            }
            if (!isValidTopicName(payload.willTopic())) {
                refuse(ctx, rules, ConnectRefusal.TOPIC_NAME_INVALID, "invalid will topic"); // MQTT-3.1.3-? / 4.7.3
                return;
            }
        } else if (header.willQos() != 0 || header.isWillRetain()) {
            refuse(ctx, rules, ConnectRefusal.MALFORMED_PACKET, "will QoS or retain set without will flag"); // -13, -15
            return;
        }
        if (!v5 && header.hasPassword() && !header.hasUserName()) {
            closeNow(ctx); // MQTT-3.1.2-22: 3.x has no code for it
            return;
        }

        // --- MQTT 5 properties (section 3.1.2.11)
        long clientMaxPacketSize = Long.MAX_VALUE;
        // 3.x: Clean Session 0 keeps the session until the client returns (3.1.2.4)
        long sessionExpiry = header.isCleanSession() ? 0 : SessionState.NEVER;
        long willDelay = 0;
        boolean responseInformationRequested = false;
        if (v5) {
            Integer receiveMaximum = intProperty(properties, RECEIVE_MAXIMUM);
            Integer maximumPacketSize = intProperty(properties, MAXIMUM_PACKET_SIZE);
            Integer responseInformation = intProperty(properties, REQUEST_RESPONSE_INFORMATION);
            Integer expiry = intProperty(properties, SESSION_EXPIRY_INTERVAL);
            if (receiveMaximum != null && receiveMaximum == 0) {
                refuse(ctx, rules, ConnectRefusal.PROTOCOL_ERROR, "Receive Maximum 0"); // 3.1.2.11.3
                return;
            }
            if (maximumPacketSize != null && maximumPacketSize == 0) {
                refuse(ctx, rules, ConnectRefusal.PROTOCOL_ERROR, "Maximum Packet Size 0"); // 3.1.2.11.4
                return;
            }
            if ((problemInformation != null && problemInformation > 1)
                    || (responseInformation != null && responseInformation > 1)) {
                refuse(ctx, rules, ConnectRefusal.PROTOCOL_ERROR, "Request Problem/Response Information not 0 or 1");
                return;
            }
            if (properties.getProperty(AUTHENTICATION_METHOD.value()) != null) {
                refuse(ctx, rules, ConnectRefusal.BAD_AUTHENTICATION_METHOD, "enhanced authentication not supported");
                return;
            }
            if (properties.getProperty(AUTHENTICATION_DATA.value()) != null) {
                refuse(ctx, rules, ConnectRefusal.PROTOCOL_ERROR, "Authentication Data without Method"); // 3.1.2.11.10
                return;
            }
            if (header.isWillFlag()) {
                Integer willFormat = intProperty(payload.willProperties(), PAYLOAD_FORMAT_INDICATOR);
                if (willFormat != null && willFormat > 1) {
                    refuse(ctx, rules, ConnectRefusal.PROTOCOL_ERROR, "will Payload Format Indicator not 0 or 1");
                    return;
                }
            }
            if (maximumPacketSize != null) {
                clientMaxPacketSize = Integer.toUnsignedLong(maximumPacketSize);
            }
            responseInformationRequested = responseInformation != null && responseInformation == 1;
            sessionExpiry = expiry == null ? 0 : Integer.toUnsignedLong(expiry); // 3.1.2.11.2
            if (header.isWillFlag()) {
                Integer delay = intProperty(payload.willProperties(), WILL_DELAY_INTERVAL);
                willDelay = delay == null ? 0 : Integer.toUnsignedLong(delay);
            }
            rules = new ProtocolRules.Mqtt5(problemInformation == null || problemInformation == 1, clientMaxPacketSize);
        }

        // --- client identifier (3.1.3.1)
        String clientId = payload.clientIdentifier();
        boolean assigned = false;
        if (version == MqttVersion.MQTT_3_1 && clientId.length() > ProtocolSettings.MQTT31_MAX_CLIENT_ID_LENGTH) {
            refuse(ctx, rules, ConnectRefusal.CLIENT_ID_REJECTED, null); // MQTT 3.1: 1..23 characters
            return;
        }
        if (clientId.isEmpty()) {
            if (!header.isCleanSession()) {
                // MQTT-3.1.3-8 (3.1.1); MQTT 5 allows assigning, but a new identifier can never resume a session
                refuse(ctx, rules, ConnectRefusal.CLIENT_ID_REJECTED, "empty client identifier needs clean start");
                return;
            }
            clientId = broker.clientIdGenerator().get(); // MQTT-3.1.3-6
            assigned = true;
        }
        if (clientId.length() > settings.maxClientIdLength()) {
            refuse(ctx, rules, ConnectRefusal.CLIENT_ID_REJECTED,
                    "client identifier longer than " + settings.maxClientIdLength());
            return;
        }

        // --- authentication
        String username = payload.userName();
        AuthResult auth = broker.authenticator().authenticate(clientId, username, payload.passwordInBytes());
        if (auth != AuthResult.ALLOWED) {
            log.info("{}: client '{}' refused: {}", ctx.channel().remoteAddress(), clientId, auth);
            refuse(ctx, rules, auth == AuthResult.BAD_CREDENTIALS
                    ? ConnectRefusal.BAD_CREDENTIALS : ConnectRefusal.NOT_AUTHORIZED, null);
            return;
        }
        String identity = broker.authenticator().verifiesUsernames() ? username : null;

        // --- keep alive (MQTT-3.1.2-24; MQTT 5 Server Keep Alive, 3.2.2.3.14)
        int keepAlive = header.keepAliveTimeSeconds();
        boolean keepAliveCapped = false;
        if (v5 && settings.maxKeepAlive() > 0 && (keepAlive == 0 || keepAlive > settings.maxKeepAlive())) {
            keepAlive = settings.maxKeepAlive();
            keepAliveCapped = true;
        }

        done = true;
        // what we send before the client acknowledges: its Receive Maximum (3.x has none), but never more than our
        // own, as Mosquitto does with max_inflight_messages: a window of 65535 only makes a slow client slower
        int window = Math.min(settings.receiveMaximum(),
                v5 ? orDefault(intProperty(properties, RECEIVE_MAXIMUM), 65535) : 65535);
        OutboundFlow.ClientLimits limits = v5
                ? new OutboundFlow.ClientLimits(true, window, clientMaxPacketSize,
                        orDefault(intProperty(properties, TOPIC_ALIAS_MAXIMUM), 0))
                : new OutboundFlow.ClientLimits(false, window, Long.MAX_VALUE, 0);
        // MQTT-3.1.2-7: the will is stored with the session (in Kafka, for a session that outlives the connection)
        InboundPublish will = header.isWillFlag()
                ? new InboundPublish(payload.willTopic(), payload.willMessageInBytes(), header.willQos(),
                        header.isWillRetain(), clientId, identity, null,
                        v5 ? ConnectionHandler.passThrough(payload.willProperties()) : null)
                : null;
        long grantedExpiry = Math.min(sessionExpiry, settings.maxSessionExpirySeconds());
        boolean cleanStart = header.isCleanSession();
        ConnectionHandler connection = new ConnectionHandler(broker, rules, clientId, identity, limits,
                grantedExpiry, will, willDelay, ctx.channel());
        ClientRegistry.Connection previous = broker.registry().register(clientId, connection);
        if (previous != null) {
            previous.takenOver(cleanStart); // MQTT-3.1.4-2, on this node
        }
        // Across nodes: claim the client id in Kafka first, then take over the session it had. Until then, read
        // nothing more and keep what was already decoded; the CONNACK waits for both.
        ctx.channel().config().setAutoRead(false);
        pending = new ArrayList<>();
        Accepted accepted = new Accepted(rules, connection, assigned ? clientId : null,
                v5 && grantedExpiry != sessionExpiry ? grantedExpiry : -1, keepAliveCapped ? keepAlive : -1,
                responseInformationRequested ? responseTopicPrefix(clientId) : null, keepAlive);
        String id = clientId;
        broker.sessions().claim(clientId, cleanStart).whenComplete((epoch, failure) -> {
            if (failure != null || cleanStart) {
                ctx.executor().execute(() -> claimed(ctx, accepted, epoch, null, failure));
                return;
            }
            broker.sessions().resume(id, epoch).whenComplete((resumed, notResumed) -> ctx.executor().execute(
                    () -> claimed(ctx, accepted, epoch, resumed, notResumed)));
        });
        log.debug("{}: client '{}' connecting with {}", ctx.channel().remoteAddress(), clientId, version);
    }

    /**
     * What the CONNACK of an accepted CONNECT says, besides Session Present.
     *
     * @param grantedExpiry  the Session Expiry Interval to tell the client when it differs from its own, or -1
     * @param serverKeepAlive the Server Keep Alive to tell the client, or -1
     * @param keepAlive      the keep alive in force (seconds, 0: none)
     */
    private record Accepted(ProtocolRules rules, ConnectionHandler connection, String assignedClientId,
                            long grantedExpiry, int serverKeepAlive, String responseInformation, int keepAlive) {
    }

    /**
     * On the event loop, once Kafka confirmed (or did not confirm) this node as the owner of the client id and
     * handed over the session it had (null: none).
     */
    private void claimed(ChannelHandlerContext ctx, Accepted accepted, Long epoch, SessionState resumed,
                         Throwable failure) {
        ProtocolRules rules = accepted.rules();
        ConnectionHandler connection = accepted.connection();
        int keepAlive = accepted.keepAlive();
        if (!ctx.channel().isActive()) {
            broker.registry().unregister(connection.clientId(), connection);
            releasePending();
            return;
        }
        if (failure != null) {
            log.warn("{}: client '{}' refused: Kafka did not confirm its session owner: {}",
                    ctx.channel().remoteAddress(), connection.clientId(), failure.toString());
            broker.registry().unregister(connection.clientId(), connection);
            releasePending();
            refuse(ctx, rules, ConnectRefusal.SERVER_UNAVAILABLE, "Kafka is not reachable");
            return;
        }
        if (resumed != null && resumed.expiredAt(System.currentTimeMillis())) {
            // it expired before anyone removed it: it is gone, and so is the will it still had
            if (resumed.will() != null) {
                ConnectionHandler.publishWill(broker, connection.clientId(), resumed.will().message());
            }
            resumed = null;
        }
        if (resumed != null) {
            broker.metrics().sessionsResumed.increment();
        }
        // MQTT-3.2.2-2 / -3 (3.1.1), 3.2.2.1.1 (5.0): Session Present says whether the session went on; a will it
        // had is not published, the client came back (MQTT-3.1.3-9)
        ctx.writeAndFlush(connAck(accepted, resumed != null));
        ctx.pipeline().replace(this, ChannelHandlerNames.CONNECTION, connection);
        if (keepAlive > 0) {
            // MQTT-3.1.2-24: one and a half times the keep alive without a packet closes the connection
            ctx.pipeline().addBefore(ChannelHandlerNames.CONNECTION, ChannelHandlerNames.KEEP_ALIVE,
                    new IdleStateHandler(keepAlive * 1500L, 0, 0, TimeUnit.MILLISECONDS));
        }
        connection.start(epoch, resumed);
        broker.metrics().connections.increment();
        List<Object> early = pending;
        pending = null;
        for (Object message : early) {
            ctx.pipeline().fireChannelRead(message); // what the client sent right after CONNECT, in order
        }
        ctx.pipeline().fireChannelReadComplete();
        ctx.channel().config().setAutoRead(true);
    }

    private void releasePending() {
        if (pending != null) {
            pending.forEach(ReferenceCountUtil::release);
            pending = null;
        }
    }

    /**
     * The Response Information we give a client that asks for it (3.1.2.11.6): a topic prefix of its own for the
     * response topics of request/response; none when its client id cannot be part of a topic name.
     */
    static String responseTopicPrefix(String clientId) {
        String prefix = "responses/" + clientId + "/";
        return isValidTopicName(prefix) ? prefix : null;
    }

    private MqttConnAckMessage connAck(Accepted accepted, boolean sessionPresent) {
        MqttConnectReturnCode ok = MqttConnectReturnCode.CONNECTION_ACCEPTED;
        if (accepted.rules().version() != MqttVersion.MQTT_5) {
            return MqttMessageBuilders.connAck().returnCode(ok).sessionPresent(sessionPresent).build();
        }
        ProtocolSettings settings = broker.settings();
        return MqttMessageBuilders.connAck()
                .returnCode(ok)
                .sessionPresent(sessionPresent)
                .properties(p -> {
                    if (accepted.assignedClientId() != null) {
                        p.assignedClientId(accepted.assignedClientId());
                    }
                    if (accepted.grantedExpiry() >= 0) {
                        p.sessionExpiryInterval((int) accepted.grantedExpiry()); // capped (3.2.2.3.2)
                    }
                    if (accepted.serverKeepAlive() >= 0) {
                        p.serverKeepAlive(accepted.serverKeepAlive());
                    }
                    if (accepted.responseInformation() != null) {
                        p.responseInformation(accepted.responseInformation());
                    }
                    if (settings.receiveMaximum() < 65535) {
                        p.receiveMaximum(settings.receiveMaximum());
                    }
                    p.maximumPacketSize(settings.maxPacketSize());
                    if (settings.topicAliasMaximum() > 0) {
                        p.topicAliasMaximum(settings.topicAliasMaximum());
                    }
                })
                .build();
    }

    private void refuse(ChannelHandlerContext ctx, ProtocolRules rules, ConnectRefusal refusal, String reason) {
        done = true;
        broker.metrics().connectsRefused.increment();
        MqttConnAckMessage connAck = rules.refusal(refusal, reason);
        if (connAck == null) {
            ctx.close();
        } else {
            // MQTT-3.2.2-5 / 3.2.2.2: a refusing CONNACK, then close
            ctx.writeAndFlush(connAck).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void closeNow(ChannelHandlerContext ctx) {
        done = true;
        broker.metrics().connectsRefused.increment();
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: {}", ctx.channel().remoteAddress(), cause.toString());
        done = true;
        ctx.close();
    }

    /**
     * Netty reports an unacceptable CONNECT as "NAME is an unknown protocol name" (unknown level) or
     * "NAME and LEVEL don't match"; either way the message starts with the protocol name the client sent.
     */
    private static boolean isMqttProtocolName(String message) {
        String m = String.valueOf(message);
        return m.startsWith("MQTT ") || m.startsWith("MQIsdp ");
    }

    static boolean isValidTopicName(String topic) {
        // MQTT-4.7.3-1: at least one character; MQTT-3.3.2-2: no wildcards; MQTT-4.7.3-2: no U+0000
        if (topic == null || topic.isEmpty() || topic.getBytes(StandardCharsets.UTF_8).length > 65535) {
            return false;
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#' || c == '\0') {
                return false;
            }
        }
        return true;
    }

    static Integer intProperty(MqttProperties properties, MqttProperties.MqttPropertyType type) {
        MqttProperties.MqttProperty<?> property = properties.getProperty(type.value());
        return property == null ? null : (Integer) property.value();
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }
}
