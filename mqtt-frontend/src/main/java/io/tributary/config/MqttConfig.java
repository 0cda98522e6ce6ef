package io.tributary.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The MQTT listener and the protocol limits it enforces and announces (section {@code mqtt}).
 *
 * @param host                     address to listen on
 * @param port                     TCP port; 0 picks a free port (tests)
 * @param maxPacketSize            largest packet accepted, in bytes: the decoder limit and MQTT 5 Maximum Packet Size
 * @param maxClientIdLength        longest client identifier accepted
 * @param connectTimeout           how long a new connection may take to send CONNECT
 * @param maxKeepAlive             cap on the client's keep alive in seconds (MQTT 5 Server Keep Alive); 0 accepts it
 * @param receiveMaximum           QoS 1/2 PUBLISH packets in flight per client that the server accepts
 * @param topicAliasMaximum        topic aliases a client may use towards the server
 * @param maxInflightPerConnection QoS 1/2 publishes awaiting Kafka per connection before reading pauses
 * @param maxQueuedMessages        messages waiting for a subscriber beyond its in-flight window, before more are dropped
 * @param maxQueuedBytes           payload bytes waiting for a subscriber, before more are dropped
 * @param maxSessionExpiry         cap on the Session Expiry Interval in seconds (4294967295: never expires)
 * @param sessionCheckpointInterval how often a connected persistent session writes its changed state to Kafka
 * @param eventLoopThreads         Netty event loop threads; 0 = number of cores
 * @param epoll                    use native epoll when available
 */
public record MqttConfig(
        String host,
        int port,
        int maxPacketSize,
        int maxClientIdLength,
        Duration connectTimeout,
        int maxKeepAlive,
        int receiveMaximum,
        int topicAliasMaximum,
        int maxInflightPerConnection,
        int maxQueuedMessages,
        long maxQueuedBytes,
        long maxSessionExpiry,
        Duration sessionCheckpointInterval,
        int eventLoopThreads,
        boolean epoll) {

    public MqttConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(sessionCheckpointInterval, "sessionCheckpointInterval");
    }

    /** {@link #eventLoopThreads} with 0 resolved to the number of available processors. */
    public int effectiveEventLoopThreads() {
        return eventLoopThreads > 0 ? eventLoopThreads : Runtime.getRuntime().availableProcessors();
    }
}
