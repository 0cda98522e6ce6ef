package io.tributary.bench;

import io.netty.handler.codec.mqtt.MqttQoS;

import java.time.Duration;
import java.util.Objects;

/**
 * One {@link RetainedBench} run. {@code publishers}: the settings of the store phase's connections
 * (host, port, protocol, publish QoS, number of publishers, payload, window; its duration is the
 * store phase's time limit); {@code subscribeQos}: the QoS of the SUBSCRIBEs; {@code narrowBucket}:
 * the bucket of the narrow filter, -1 for none; {@code idleTimeout}: a subscribe phase ends when
 * nothing arrived for that long, and after {@code receiveTimeout} in any case.
 */
record RetainedConfig(BenchConfig publishers, RetainedTopics topics, MqttQoS subscribeQos, Duration settle,
                      int narrowBucket, Duration idleTimeout, Duration receiveTimeout, String clientIdPrefix) {

    RetainedConfig {
        Objects.requireNonNull(publishers, "publishers");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(subscribeQos, "subscribeQos");
        Objects.requireNonNull(clientIdPrefix, "clientIdPrefix");
        if (subscribeQos == MqttQoS.FAILURE) {
            throw new IllegalArgumentException("--sub-qos must be 0, 1 or 2");
        }
        if (publishers.publishers() > topics.count()) {
            throw new IllegalArgumentException("--clients must be <= --topics: " + publishers.publishers());
        }
        if (publishers.payloadBytes() < SequencedPayload.HEADER_BYTES) {
            throw new IllegalArgumentException("--payload must be >= " + SequencedPayload.HEADER_BYTES
                    + " bytes (bucket, position, send time): " + publishers.payloadBytes());
        }
        if (narrowBucket < -1 || narrowBucket >= topics.buckets()) {
            throw new IllegalArgumentException("--narrow must be -1 (none) or a bucket 0.." + (topics.buckets() - 1)
                    + " of " + topics.count() + " topics: " + narrowBucket);
        }
        if (idleTimeout.isZero() || idleTimeout.isNegative() || receiveTimeout.isZero() || receiveTimeout.isNegative()) {
            throw new IllegalArgumentException("--idle-timeout and --receive-timeout must be > 0");
        }
    }

    /** The same connection settings, subscribing at {@link #subscribeQos} (what {@link SubscriberHandler} asks for). */
    BenchConfig subscribers() {
        BenchConfig p = publishers;
        return new BenchConfig(p.host(), p.port(), p.protocol(), subscribeQos, 1, p.payloadBytes(), p.warmup(),
                p.duration(), p.ratePerPublisher(), p.maxInflight(), p.topicPattern(), clientIdPrefix + "sub-",
                p.username(), p.password(), p.keepAliveSeconds(), p.threads(), p.preferEpoll(), p.connectTimeout(),
                p.drainTimeout());
    }

    Duration storeTimeout() {
        return publishers.duration();
    }

    boolean narrow() {
        return narrowBucket >= 0;
    }

    /** QoS the retained messages reach the subscriber with: the lower of publish and subscribe QoS. */
    int deliveryQos() {
        return Math.min(publishers.qos().value(), subscribeQos.value());
    }

    String subscriberClientId(String what) {
        return clientIdPrefix + "sub-" + what;
    }
}
