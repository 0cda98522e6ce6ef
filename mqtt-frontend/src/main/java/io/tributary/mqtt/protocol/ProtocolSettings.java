package io.tributary.mqtt.protocol;

import io.tributary.bridge.session.SessionState;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits and capabilities the protocol layer enforces and announces.
 *
 * @param maxPacketSize            largest packet accepted (bytes); MQTT 5 Maximum Packet Size
 * @param maxClientIdLength        longest client identifier accepted (characters)
 * @param connectTimeout           how long a new connection may take to send CONNECT
 * @param maxKeepAlive             cap on the keep alive (seconds) of MQTT 5 clients, sent as Server Keep Alive;
 *                                 0 accepts whatever the client asks for
 * @param receiveMaximum           QoS 1/2 PUBLISH packets a client may have unacknowledged (MQTT 5 Receive Maximum)
 * @param topicAliasMaximum        topic aliases a client may use towards us (MQTT 5 Topic Alias Maximum)
 * @param maxInflightPerConnection QoS 1/2 publishes awaiting Kafka per connection before its reading pauses
 * @param maxQueuedMessages        messages a subscriber may have waiting (beyond its in-flight window) before
 *                                 further messages for it are dropped and counted
 * @param maxQueuedBytes           payload bytes a subscriber may have waiting, likewise
 * @param maxSessionExpirySeconds  cap on the Session Expiry Interval clients ask for (MQTT 3.x Clean Session 0
 *                                 asks for "never"); {@code SessionState.NEVER} leaves it uncapped, 0 keeps no
 *                                 session beyond its connection
 * @param sessionCheckpointInterval how often a connected persistent session writes its state to Kafka when it
 *                                 changed (after a node crash, QoS 1 messages since then are sent again)
 */
public record ProtocolSettings(
        int maxPacketSize,
        int maxClientIdLength,
        Duration connectTimeout,
        int maxKeepAlive,
        int receiveMaximum,
        int topicAliasMaximum,
        int maxInflightPerConnection,
        int maxQueuedMessages,
        long maxQueuedBytes,
        long maxSessionExpirySeconds,
        Duration sessionCheckpointInterval) {

    /** The MQTT 3.1 limit on client identifiers. */
    public static final int MQTT31_MAX_CLIENT_ID_LENGTH = 23;

    public ProtocolSettings {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (maxPacketSize < 64) {
            throw new IllegalArgumentException("maxPacketSize must be >= 64: " + maxPacketSize);
        }
        if (receiveMaximum < 1 || receiveMaximum > 65535) {
            throw new IllegalArgumentException("receiveMaximum must be in 1..65535: " + receiveMaximum);
        }
        if (topicAliasMaximum < 0 || topicAliasMaximum > 65535) {
            throw new IllegalArgumentException("topicAliasMaximum must be in 0..65535: " + topicAliasMaximum);
        }
        if (maxInflightPerConnection < 1) {
            throw new IllegalArgumentException("maxInflightPerConnection must be >= 1: " + maxInflightPerConnection);
        }
        if (maxQueuedMessages < 1 || maxQueuedBytes < 1) {
            throw new IllegalArgumentException("maxQueuedMessages and maxQueuedBytes must be >= 1");
        }
        if (maxSessionExpirySeconds < 0 || maxSessionExpirySeconds > SessionState.NEVER) {
            throw new IllegalArgumentException("maxSessionExpirySeconds must be in 0..4294967295");
        }
        Objects.requireNonNull(sessionCheckpointInterval, "sessionCheckpointInterval");
        if (sessionCheckpointInterval.toMillis() < 1) {
            throw new IllegalArgumentException("sessionCheckpointInterval must be at least 1 ms");
        }
    }

    public static ProtocolSettings defaults() {
        return new ProtocolSettings(1024 * 1024, 256, Duration.ofSeconds(10), 0, 1024, 64, 1024, 1000, 8L * 1024 * 1024,
                SessionState.NEVER, Duration.ofSeconds(5));
    }
}
