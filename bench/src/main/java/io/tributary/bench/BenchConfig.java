package io.tributary.bench;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

import java.time.Duration;
import java.util.Objects;

/** Immutable description of one PublishBench run; built from the command line by {@link PublishBench}. */
public record BenchConfig(
        String host,
        int port,
        MqttVersion protocol,
        MqttQoS qos,
        int publishers,
        int payloadBytes,
        Duration warmup,
        Duration duration,
        double ratePerPublisher,
        int maxInflight,
        String topicPattern,
        String clientIdPrefix,
        String username,
        String password,
        int keepAliveSeconds,
        int threads,
        boolean preferEpoll,
        Duration connectTimeout,
        Duration drainTimeout) {

    public BenchConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(topicPattern, "topicPattern");
        Objects.requireNonNull(clientIdPrefix, "clientIdPrefix");
        require(port > 0 && port < 65536, "port must be 1..65535: " + port);
        require(protocol == MqttVersion.MQTT_3_1_1 || protocol == MqttVersion.MQTT_5,
                "protocol must be MQTT 3.1.1 or 5: " + protocol);
        require(qos != MqttQoS.FAILURE, "qos must be 0, 1 or 2");
        require(publishers >= 1, "publishers must be >= 1: " + publishers);
        require(payloadBytes >= 0, "payload must be >= 0 bytes: " + payloadBytes);
        require(!warmup.isNegative(), "warm-up must be >= 0");
        require(!duration.isNegative() && !duration.isZero(), "duration must be > 0");
        require(ratePerPublisher >= 0 && Double.isFinite(ratePerPublisher),
                "rate must be >= 0 (0 = unlimited): " + ratePerPublisher);
        // packet ids are 1..65535, so at most 65535 can be in flight on one connection
        require(maxInflight >= 1 && maxInflight <= 65535, "max in-flight must be 1..65535: " + maxInflight);
        require(!topicPattern.isEmpty(), "topic pattern must not be empty");
        require(topicPattern.indexOf('+') < 0 && topicPattern.indexOf('#') < 0,
                "topic pattern must not contain wildcards: " + topicPattern);
        require(keepAliveSeconds >= 0 && keepAliveSeconds <= 65535, "keep-alive must be 0..65535");
        require(threads >= 1, "threads must be >= 1");
        require(password == null || username != null, "a password needs a username");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Client id of publisher {@code index} (0-based). */
    public String clientId(int index) {
        return clientIdPrefix + index;
    }

    /** Topic of publisher {@code index}: {client} is the index, {clientid} the full client id. */
    public String topic(int index) {
        return topicPattern.replace("{client}", Integer.toString(index)).replace("{clientid}", clientId(index));
    }

    public boolean acknowledged() {
        return qos != MqttQoS.AT_MOST_ONCE;
    }

    public String protocolName() {
        return protocol == MqttVersion.MQTT_5 ? "5" : "3.1.1";
    }
}
