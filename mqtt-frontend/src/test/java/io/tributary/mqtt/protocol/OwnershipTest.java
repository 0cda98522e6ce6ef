package io.tributary.mqtt.protocol;

import static io.tributary.mqtt.protocol.Packets.connect311;
import static io.tributary.mqtt.protocol.Packets.connect5;
import static io.tributary.mqtt.protocol.Packets.publish311;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.tributary.mqtt.session.ClientRegistry;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CONNACK waits until Kafka confirmed this node as the owner of the client id; newer claims elsewhere win. */
class OwnershipTest {

    private final TestConnection connection = new TestConnection();

    @AfterEach
    void noLeaks() {
        connection.assertNothingLeaked();
    }

    private ClientRegistry.Connection registered() {
        return connection.registry.get("dev");
    }

    @Test
    void connAckWaitsForTheClaimAndWhatCameRightAfterConnectIsKept() {
        connection.sessions.holdClaims = true;
        connection.send(connect311("dev"), publish311(1, false, 5, "early/bird", "first"));
        assertThat(connection.nextBytes()).as("no CONNACK before Kafka confirmed").isNull();
        assertThat(connection.channel.config().isAutoRead()).isFalse();

        connection.sessions.held.complete(7L);
        connection.runTasks();
        assertThat(connection.nextBytes()).containsExactly(0x20, 0x02, 0x00, 0x00);
        assertThat(connection.publisher.messages()).singleElement()
                .satisfies(m -> assertThat(m.topic()).isEqualTo("early/bird"));
        assertThat(connection.channel.config().isAutoRead()).isTrue();
    }

    @Test
    void aConnectionIsAnnouncedWithItsEpochOnceConfirmedAndItsEndToo() {
        connection.sessions.holdClaims = true;
        connection.send(connect311("dev"));
        assertThat(connection.announced).as("not before Kafka confirmed the claim").isEmpty();
        connection.sessions.held.complete(7L);
        connection.runTasks();
        assertThat(connection.announced).containsExactly("connected dev 7");
        connection.send(Packets.DISCONNECT);
        connection.runTasks();
        assertThat(connection.announced).containsExactly("connected dev 7", "disconnected dev 7");
    }

    @Test
    void aConnectionRefusedBeforeItsClaimIsNeverAnnounced() {
        connection.sessions.holdClaims = true;
        connection.send(connect311("dev"));
        connection.sessions.held.completeExceptionally(new TimeoutException("no Kafka"));
        connection.runTasks();
        assertThat(connection.isOpen()).isFalse();
        assertThat(connection.announced).isEmpty();
    }

    @Test
    void kafkaNotConfirmingTheClaimRefusesTheConnection() {
        connection.sessions.holdClaims = true;
        connection.send(connect5("dev"), Packets.publish5(0, false, 0, "lost", Packets.properties(), "x"));
        connection.sessions.held.completeExceptionally(new TimeoutException("no Kafka"));
        connection.runTasks();
        MqttMessage connAck = connection.next();
        assertThat(((MqttConnAckMessage) connAck).variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5);
        assertThat(connection.isOpen()).isFalse();
        assertThat(connection.publisher.published).isEmpty();
        assertThat(connection.registry.size()).isZero();
    }

    @Test
    void aNewerClaimOnAnotherNodeTakesOver() {
        connection.send(connect5("dev"));
        connection.next();
        registered().claimSeen(0, false); // our own claim (epoch 0), seen in Kafka: nothing happens
        connection.runTasks();
        assertThat(connection.isOpen()).isTrue();
        registered().claimSeen(42, false);
        connection.runTasks();
        MqttMessage disconnect = connection.next();
        assertThat(disconnect.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
        assertThat(((MqttReasonCodeAndPropertiesVariableHeader) disconnect.variableHeader()).reasonCode())
                .isEqualTo((byte) 0x8E);
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void theClaimIsRemovedWhenTheConnectionEndsUnlessANewerOneExists() {
        connection.send(connect311("dev"));
        connection.nextBytes();
        connection.channel.close();
        assertThat(connection.sessions.removed).containsExactly("dev");

        TestConnection other = new TestConnection();
        other.send(connect311("dev"));
        other.nextBytes();
        other.registry.get("dev").claimSeen(99, false); // taken over from another node: that claim must stay
        other.runTasks();
        assertThat(other.isOpen()).isFalse();
        assertThat(other.sessions.removed).isEmpty();
        // instead, the release the new owner waits for: a session that ended with its connection
        assertThat(other.sessions.last().endedAtMs()).isNotNull();
        assertThat(other.sessions.last().expirySeconds()).isZero();
        other.assertNothingLeaked();
    }

    @Test
    void aNewerClaimSeenWhileOursIsUnderWayWinsToo() {
        connection.sessions.holdClaims = true;
        connection.send(connect5("dev"));
        registered().claimSeen(10, false);
        connection.runTasks();
        connection.sessions.held.complete(9L); // ours landed before theirs in the partition
        connection.runTasks();
        assertThat(connection.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
        assertThat(connection.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
        assertThat(connection.isOpen()).isFalse();
    }
}
