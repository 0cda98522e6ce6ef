package io.tributary.mqtt.protocol;

import static io.tributary.mqtt.protocol.Packets.CLEAN;
import static io.tributary.mqtt.protocol.Packets.PASSWORD;
import static io.tributary.mqtt.protocol.Packets.USERNAME;
import static io.tributary.mqtt.protocol.Packets.WILL;
import static io.tributary.mqtt.protocol.Packets.WILL_RETAIN;
import static io.tributary.mqtt.protocol.Packets.binary;
import static io.tributary.mqtt.protocol.Packets.bytes;
import static io.tributary.mqtt.protocol.Packets.concat;
import static io.tributary.mqtt.protocol.Packets.connect31;
import static io.tributary.mqtt.protocol.Packets.connect311;
import static io.tributary.mqtt.protocol.Packets.connect5;
import static io.tributary.mqtt.protocol.Packets.intProperty2;
import static io.tributary.mqtt.protocol.Packets.intProperty4;
import static io.tributary.mqtt.protocol.Packets.packet;
import static io.tributary.mqtt.protocol.Packets.properties;
import static io.tributary.mqtt.protocol.Packets.string;
import static io.tributary.mqtt.protocol.Packets.stringProperty;
import static io.tributary.mqtt.protocol.Packets.twoBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.tributary.mqtt.auth.PasswordFileAuthenticator;
import io.tributary.mqtt.session.ClientRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CONNECT rules of MQTT 3.1, 3.1.1 and 5.0, driven with raw bytes. */
class ConnectHandlerTest {

    /** CONNACK 3.1.1: accepted, no session present. */
    private static final byte[] CONNACK_ACCEPTED = bytes(0x20, 0x02, 0x00, 0x00);

    private TestConnection connection = new TestConnection();

    @AfterEach
    void noLeaks() {
        connection.assertNothingLeaked();
    }

    private static MqttConnectReturnCode code(MqttMessage message) {
        assertThat(message.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
        return ((MqttConnAckMessage) message).variableHeader().connectReturnCode();
    }

    private static MqttProperties connAckProperties(MqttMessage message) {
        return ((MqttConnAckMessage) message).variableHeader().properties();
    }

    // ------------------------------------------------------------ accepted

    @Test
    void mqtt311ConnectIsAccepted() {
        connection.send(connect311("device-1"));
        assertThat(connection.nextBytes()).containsExactly(CONNACK_ACCEPTED);
        assertThat(connection.isOpen()).isTrue();
        assertThat(connection.registry.size()).isEqualTo(1);
    }

    @Test
    void mqtt31MQIsdpConnectIsAccepted() {
        connection.send(connect31("legacy-device"));
        assertThat(connection.nextBytes()).containsExactly(CONNACK_ACCEPTED);
        assertThat(connection.isOpen()).isTrue();
    }

    @Test
    void mqtt5ConnAckAnnouncesLimits() {
        connection.send(connect5(CLEAN, 60, properties(intProperty4(0x11, 3600)), "device-5"));
        MqttMessage connAck = connection.next();
        assertThat(code(connAck)).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        MqttProperties p = connAckProperties(connAck);
        ProtocolSettings defaults = ProtocolSettings.defaults();
        assertThat(p.getProperty(0x21).value()).isEqualTo(defaults.receiveMaximum());
        assertThat(p.getProperty(0x27).value()).isEqualTo(defaults.maxPacketSize());
        assertThat(p.getProperty(0x22).value()).isEqualTo(defaults.topicAliasMaximum());
        assertThat(p.getProperty(0x11)).as("session expiry granted as asked: not repeated (3.2.2.3.2)").isNull();
        assertThat(p.getProperty(0x12)).as("no assigned id").isNull();
    }

    // ------------------------------------------------------------ protocol name and level

    @Test
    void unsupportedProtocolLevelGetsReturnCode1ThenClose() {
        // MQTT-3.1.2-2: "MQTT" with level 6
        connection.send(packet(0x10, string("MQTT"), bytes(6, CLEAN), twoBytes(60), string("c")));
        assertThat(connection.nextBytes()).containsExactly(0x20, 0x02, 0x00, 0x01);
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void unknownProtocolNameClosesWithoutConnAck() {
        // MQTT-3.1.2-1
        connection.send(packet(0x10, string("MQTX"), bytes(4, CLEAN), twoBytes(60), string("c")));
        assertThat(connection.nextBytes()).isNull();
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void firstPacketOtherThanConnectCloses() {
        // MQTT-3.1.0-1
        connection.send(Packets.PINGREQ);
        assertThat(connection.nextBytes()).isNull();
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void publishBeforeConnectClosesAndIsReleased() {
        connection.send(Packets.publish311(0, false, 0, "a/b", "payload"));
        assertThat(connection.isOpen()).isFalse();
        assertThat(connection.publisher.published).isEmpty();
    }

    // ------------------------------------------------------------ connect flags

    @Test
    void reservedFlagSetClosesMqtt311() {
        // MQTT-3.1.2-3
        connection.send(connect311(CLEAN | 0x01, 60, "c"));
        assertThat(connection.nextBytes()).isNull();
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void reservedFlagSetIsMalformedInMqtt5() {
        connection.send(connect5(CLEAN | 0x01, 60, properties(), "c"));
        assertThat(code(connection.next())).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_MALFORMED_PACKET);
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void willQos3IsMalformed() {
        // MQTT-3.1.2-14
        connection.send(connect5(CLEAN | WILL | 0x18, 60, properties(), "c",
                properties(), string("will/topic"), binary(new byte[] {1})));
        assertThat(code(connection.next())).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_MALFORMED_PACKET);
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void willRetainWithoutWillFlagClosesMqtt311() {
        // MQTT-3.1.2-15
        connection.send(connect311(CLEAN | WILL_RETAIN, 60, "c"));
        assertThat(connection.nextBytes()).isNull();
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void willQosWithoutWillFlagIsMalformedInMqtt5() {
        // MQTT-3.1.2-13
        connection.send(connect5(CLEAN | 0x08, 60, properties(), "c"));
        assertThat(code(connection.next())).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_MALFORMED_PACKET);
    }

    @Test
    void willTopicWithWildcardIsRefused() {
        connection.send(connect5(CLEAN | WILL, 60, properties(), "c",
                properties(), string("will/#"), binary(new byte[] {1})));
        assertThat(code(connection.next())).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_TOPIC_NAME_INVALID);
    }

    @Test
    void validWillIsAccepted() {
        connection.send(connect311(CLEAN | WILL | 0x08, 60, "c", string("will/topic"), binary(new byte[] {1, 2})));
        assertThat(connection.nextBytes()).containsExactly(CONNACK_ACCEPTED);
    }

    @Test
    void passwordWithoutUsernameClosesMqtt311() {
        // MQTT-3.1.2-22
        connection.send(connect311(CLEAN | PASSWORD, 60, "c", binary(new byte[] {1})));
        assertThat(connection.nextBytes()).isNull();
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void passwordWithoutUsernameIsAllowedInMqtt5() {
        connection.send(connect5(CLEAN | PASSWORD, 60, properties(), "c", binary(new byte[] {1})));
        assertThat(code(connection.next())).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    }

    // ------------------------------------------------------------ client identifier

    @Test
    void emptyClientIdWithCleanSessionIsAssignedInMqtt311() {
        connection.send(connect311(""));
        assertThat(connection.nextBytes()).containsExactly(CONNACK_ACCEPTED);
        assertThat(connection.isOpen()).isTrue();
    }

    @Test
    void emptyClientIdWithoutCleanSessionIsRejectedInMqtt311() {
        // MQTT-3.1.3-8
        connection.send(connect311(0, 60, ""));
        assertThat(connection.nextBytes()).containsExactly(0x20, 0x02, 0x00, 0x02);
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void emptyClientIdIsAssignedAndReturnedInMqtt5() {
        connection.send(connect5(""));
        MqttMessage connAck = connection.next();
        assertThat(code(connAck)).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(connAckProperties(connAck).getProperty(0x12).value()).isEqualTo("auto-1");
    }

    @Test
    void emptyClientIdWithoutCleanStartIsRejectedInMqtt5() {
        connection.send(connect5(0, 60, properties(), ""));
        assertThat(code(connection.next()))
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID);
    }

    @Test
    void emptyClientIdIsRejectedInMqtt31() {
        connection.send(connect31(""));
        assertThat(connection.nextBytes()).containsExactly(0x20, 0x02, 0x00, 0x02);
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void clientIdOver23CharactersIsRejectedInMqtt31() {
        connection.send(connect31("a".repeat(24)));
        assertThat(connection.nextBytes()).containsExactly(0x20, 0x02, 0x00, 0x02);
    }

    @Test
    void clientIdOver23CharactersIsAcceptedInMqtt311() {
        connection.send(connect311("a".repeat(100)));
        assertThat(connection.nextBytes()).containsExactly(CONNACK_ACCEPTED);
    }

    @Test
    void clientIdOverTheConfiguredLimitIsRejected() {
        connection.send(connect5("a".repeat(ProtocolSettings.defaults().maxClientIdLength() + 1)));
        assertThat(code(connection.next()))
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID);
    }

    @Test
    void invalidUtf8ClientIdIsMalformed() {
        // MQTT-1.5.3-1: 0xC0 0x80 is an overlong encoding of U+0000
        connection.send(packet(0x10, string("MQTT"), bytes(5, CLEAN), twoBytes(60), properties(),
                bytes(0x00, 0x02, 0xC0, 0x80)));
        MqttMessage reply = connection.next();
        assertThat(reply == null || code(reply).byteValue() >= (byte) 0x80).isTrue();
        assertThat(connection.isOpen()).isFalse();
    }

    // ------------------------------------------------------------ MQTT 5 properties

    @Test
    void receiveMaximumZeroIsAProtocolError() {
        connection.send(connect5(CLEAN, 60, properties(intProperty2(0x21, 0)), "c"));
        assertThat(code(connection.next())).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR);
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void maximumPacketSizeZeroIsAProtocolError() {
        connection.send(connect5(CLEAN, 60, properties(intProperty4(0x27, 0)), "c"));
        assertThat(code(connection.next())).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR);
    }

    @Test
    void enhancedAuthenticationIsRefusedWithBadAuthenticationMethod() {
        connection.send(connect5(CLEAN, 60, properties(stringProperty(0x15, "SCRAM-SHA-1")), "c"));
        assertThat(code(connection.next()))
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD);
    }

    @Test
    void responseInformationIsGivenWhenRequested() {
        connection.send(connect5(CLEAN, 60, properties(Packets.byteProperty(0x19, 1)), "requester"));
        assertThat(connAckProperties(connection.next()).getProperty(0x1A).value()).isEqualTo("responses/requester/");
    }

    @Test
    void noResponseInformationUnlessRequested() {
        connection.send(connect5("quiet"));
        assertThat(connAckProperties(connection.next()).getProperty(0x1A)).isNull();
    }

    @Test
    void serverKeepAliveCapsTheClientsKeepAlive() {
        ProtocolSettings d = ProtocolSettings.defaults();
        connection = new TestConnection(new ProtocolSettings(d.maxPacketSize(), d.maxClientIdLength(),
                d.connectTimeout(), 30, d.receiveMaximum(), d.topicAliasMaximum(), d.maxInflightPerConnection(), d.maxQueuedMessages(), d.maxQueuedBytes(),
                d.maxSessionExpirySeconds(), d.sessionCheckpointInterval()),
                io.tributary.mqtt.auth.Authenticator.allowAll());
        connection.send(connect5(CLEAN, 0, properties(), "c"));
        assertThat(connAckProperties(connection.next()).getProperty(0x13).value()).isEqualTo(30);
        connection.advance(44_000);
        assertThat(connection.isOpen()).isTrue();
        connection.advance(2_000); // 1.5 x 30 s
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void connectLargerThanTheMaximumPacketSizeIsRefusedInMqtt5() {
        ProtocolSettings d = ProtocolSettings.defaults();
        connection = new TestConnection(new ProtocolSettings(128, d.maxClientIdLength(), d.connectTimeout(),
                0, d.receiveMaximum(), d.topicAliasMaximum(), d.maxInflightPerConnection(), d.maxQueuedMessages(), d.maxQueuedBytes(),
                d.maxSessionExpirySeconds(), d.sessionCheckpointInterval()),
                io.tributary.mqtt.auth.Authenticator.allowAll());
        connection.send(connect5(CLEAN | USERNAME, 60, properties(), "c", string("u".repeat(200))));
        assertThat(code(connection.next())).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_PACKET_TOO_LARGE);
        assertThat(connection.isOpen()).isFalse();
    }

    // ------------------------------------------------------------ timeouts and takeover

    @Test
    void connectionWithoutConnectIsClosedAfterTheConnectTimeout() {
        Duration timeout = ProtocolSettings.defaults().connectTimeout();
        connection.advance(timeout.toMillis() - 1);
        assertThat(connection.isOpen()).isTrue();
        connection.advance(2);
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void keepAliveIsEnforcedAtOneAndAHalfTimes() {
        // MQTT-3.1.2-24
        connection.send(connect311(CLEAN, 10, "c"));
        connection.nextBytes();
        connection.advance(14_000);
        connection.send(Packets.PINGREQ);
        assertThat(connection.nextBytes()).containsExactly(0xD0, 0x00);
        connection.advance(14_000);
        assertThat(connection.isOpen()).isTrue();
        connection.advance(1_100);
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void secondConnectionWithTheSameClientIdTakesOver() {
        ClientRegistry registry = new ClientRegistry();
        ControllablePublisher publisher = new ControllablePublisher();
        TestConnection first = new TestConnection(ProtocolSettings.defaults(),
                io.tributary.mqtt.auth.Authenticator.allowAll(), publisher, registry);
        first.send(connect5("same"));
        first.next();
        connection = new TestConnection(ProtocolSettings.defaults(),
                io.tributary.mqtt.auth.Authenticator.allowAll(), publisher, registry);
        connection.send(connect311("same"));
        assertThat(connection.nextBytes()).containsExactly(CONNACK_ACCEPTED);
        first.runTasks();
        MqttMessage disconnect = first.next();
        assertThat(disconnect.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
        assertThat(((io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader)
                disconnect.variableHeader()).reasonCode()).isEqualTo((byte) 0x8E);
        assertThat(first.isOpen()).isFalse();
        assertThat(registry.size()).isEqualTo(1);
        first.assertNothingLeaked();
    }

    // ------------------------------------------------------------ authentication

    private TestConnection withPasswordFile(Path dir, boolean allowAnonymous) throws Exception {
        // written by: mosquitto_passwd -c -b file alice secret
        Path file = dir.resolve("passwd");
        Files.writeString(file, "alice:$7$101$0ulUWUX11xSlJ2TK$ZTCSGFmzglGSdG2LIcpGc8DW5AbYLHWQ/DUQg0hwmG6WhafT2AHnO8"
                + "wBJQyxihUKffgeltSt24Af0jogASkj1g==\n");
        return new TestConnection(ProtocolSettings.defaults(), PasswordFileAuthenticator.load(file, allowAnonymous));
    }

    private static byte[] credentials(String user, String password) {
        return concat(string(user), binary(password.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void rightPasswordIsAccepted(@TempDir Path dir) throws Exception {
        connection = withPasswordFile(dir, false);
        connection.send(connect311(CLEAN | USERNAME | PASSWORD, 60, "c", credentials("alice", "secret")));
        assertThat(connection.nextBytes()).containsExactly(CONNACK_ACCEPTED);
    }

    @Test
    void wrongPasswordIsRefused(@TempDir Path dir) throws Exception {
        connection = withPasswordFile(dir, false);
        connection.send(connect311(CLEAN | USERNAME | PASSWORD, 60, "c", credentials("alice", "wrong")));
        assertThat(connection.nextBytes()).containsExactly(0x20, 0x02, 0x00, 0x04);
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void wrongPasswordIsRefusedWith0x86InMqtt5(@TempDir Path dir) throws Exception {
        connection = withPasswordFile(dir, false);
        connection.send(connect5(CLEAN | USERNAME | PASSWORD, 60, properties(), "c", credentials("bob", "x")));
        assertThat(code(connection.next()))
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD);
    }

    @Test
    void anonymousIsNotAuthorizedWhenNotAllowed(@TempDir Path dir) throws Exception {
        connection = withPasswordFile(dir, false);
        connection.send(connect311("c"));
        assertThat(connection.nextBytes()).containsExactly(0x20, 0x02, 0x00, 0x05);
    }

    @Test
    void anonymousIsAcceptedWhenAllowed(@TempDir Path dir) throws Exception {
        connection = withPasswordFile(dir, true);
        connection.send(connect311("c"));
        assertThat(connection.nextBytes()).containsExactly(CONNACK_ACCEPTED);
    }
}
