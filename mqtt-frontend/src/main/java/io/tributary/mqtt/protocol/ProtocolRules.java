package io.tributary.mqtt.protocol;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * What differs between MQTT 3.x and MQTT 5 once the version is known, in one place instead of
 * {@code if (v5)} checks spread through the handlers. Netty's encoder already writes each packet in the
 * format of the version; these rules decide what may be said at all (reason codes, reason strings, DISCONNECT).
 */
public sealed interface ProtocolRules {

    MqttVersion version();

    /** The CONNACK refusing a connection, or null when this version has no code for it (then just close). */
    MqttConnAckMessage refusal(ConnectRefusal refusal, String reason);

    /**
     * Ends the connection because of {@code reason}: MQTT 5 sends DISCONNECT with the reason code first
     * (server-initiated DISCONNECT, section 3.14), MQTT 3.x just closes (it has no server DISCONNECT).
     */
    void disconnect(ChannelHandlerContext ctx, MqttReasonCodes.Disconnect reason, String reasonString);

    /** True if acknowledgements can carry a failure reason code (MQTT 5); MQTT 3.x can only close. */
    boolean canRejectPublish();

    /** A PUBACK, PUBREC or PUBCOMP (by {@code type}) with a reason code, which MQTT 3.x encoding drops. */
    MqttMessage reply(Ack type, int packetId, byte reasonCode, String reasonString);

    /** Properties carrying a reason string, if this version and the client's Request Problem Information allow. */
    MqttProperties reasonString(String reasonString);

    static ProtocolRules forVersion(MqttVersion version, boolean requestProblemInformation) {
        return version == MqttVersion.MQTT_5 ? new Mqtt5(requestProblemInformation, Long.MAX_VALUE) : new Mqtt3(version);
    }

    /** The acknowledgements the server sends for inbound publishes. */
    enum Ack { PUBACK, PUBREC, PUBCOMP }

    private static MqttMessage buildReply(Ack type, int packetId, byte reasonCode,
                                          MqttProperties properties) {
        MqttMessageType messageType = switch (type) {
            case PUBACK -> MqttMessageType.PUBACK;
            case PUBREC -> MqttMessageType.PUBREC;
            case PUBCOMP -> MqttMessageType.PUBCOMP;
        };
        return new MqttMessage(
                new MqttFixedHeader(messageType, false,
                        MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttPubReplyMessageVariableHeader(packetId, reasonCode, properties));
    }

    /** MQTT 3.1 and 3.1.1. */
    record Mqtt3(MqttVersion version) implements ProtocolRules {

        @Override
        public MqttConnAckMessage refusal(ConnectRefusal refusal, String reason) {
            if (refusal.v3Code() < 0) {
                return null;
            }
            return MqttMessageBuilders.connAck()
                    .returnCode(MqttConnectReturnCode.valueOf((byte) refusal.v3Code()))
                    .sessionPresent(false) // MQTT-3.2.2-4
                    .build();
        }

        @Override
        public void disconnect(ChannelHandlerContext ctx, MqttReasonCodes.Disconnect reason, String reasonString) {
            ctx.close();
        }

        @Override
        public boolean canRejectPublish() {
            return false;
        }

        @Override
        public MqttMessage reply(Ack type, int packetId, byte reasonCode, String reasonString) {
            return buildReply(type, packetId, (byte) 0, MqttProperties.NO_PROPERTIES);
        }

        @Override
        public MqttProperties reasonString(String reasonString) {
            return MqttProperties.NO_PROPERTIES;
        }
    }

    /**
     * MQTT 5.0.
     *
     * @param requestProblemInformation the client's Request Problem Information (3.1.2.11.7)
     * @param clientMaximumPacketSize   the client's Maximum Packet Size: reason strings that would exceed it are
     *                                  left out (MQTT-3.1.2-25)
     */
    record Mqtt5(boolean requestProblemInformation, long clientMaximumPacketSize) implements ProtocolRules {

        @Override
        public MqttVersion version() {
            return MqttVersion.MQTT_5;
        }

        @Override
        public MqttConnAckMessage refusal(ConnectRefusal refusal, String reason) {
            return MqttMessageBuilders.connAck()
                    .returnCode(MqttConnectReturnCode.valueOf((byte) refusal.v5Code()))
                    .sessionPresent(false) // MQTT-3.2.2-6
                    // CONNACK may always carry a Reason String (MQTT-3.1.2-29 restricts other packets only)
                    .properties(reasonStringAlways(reason))
                    .build();
        }

        @Override
        public void disconnect(ChannelHandlerContext ctx, MqttReasonCodes.Disconnect reason, String reasonString) {
            MqttMessage disconnect = MqttMessageBuilders.disconnect()
                    .reasonCode(reason.byteValue())
                    .properties(reasonStringAlways(reasonString))
                    .build();
            ctx.writeAndFlush(disconnect).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public boolean canRejectPublish() {
            return true;
        }

        @Override
        public MqttMessage reply(Ack type, int packetId, byte reasonCode, String reasonString) {
            return buildReply(type, packetId, reasonCode,
                    reasonCode == 0 ? MqttProperties.NO_PROPERTIES : reasonString(reasonString));
        }

        @Override
        public MqttProperties reasonString(String reasonString) {
            // MQTT-3.1.2-29: with Request Problem Information 0, no Reason String except on PUBLISH, CONNACK, DISCONNECT
            return requestProblemInformation ? reasonStringAlways(reasonString) : MqttProperties.NO_PROPERTIES;
        }

        private MqttProperties reasonStringAlways(String reasonString) {
            // a reason string is optional: drop it when the packet could exceed the client's limit
            if (reasonString == null || reasonString.length() * 3L + 16 > clientMaximumPacketSize) {
                return MqttProperties.NO_PROPERTIES;
            }
            MqttProperties properties = new MqttProperties();
            properties.add(new MqttProperties.StringProperty(
                    MqttProperties.MqttPropertyType.REASON_STRING.value(), reasonString));
            return properties;
        }
    }
}
