package io.tributary.config;

import java.util.Map;
import java.util.Objects;

/**
 * The embedded single-node KRaft broker (section {@code kafka.embedded}); its data lives in
 * {@code <data-dir>/kafka}. See {@link io.tributary.bridge.EmbeddedKafkaSettings}.
 *
 * @param broker further broker properties passed through verbatim (override Tributary's)
 */
public record EmbeddedKafkaConfig(
        String host,
        int port,
        int controllerPort,
        long retentionMs,
        long retentionBytes,
        int segmentBytes,
        Map<String, String> broker) {

    public EmbeddedKafkaConfig {
        Objects.requireNonNull(host, "host");
        broker = Secrets.sortedCopy(broker);
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaConfig[host=" + host + ", port=" + port + ", controllerPort=" + controllerPort
                + ", retentionMs=" + retentionMs + ", retentionBytes=" + retentionBytes
                + ", segmentBytes=" + segmentBytes + ", broker=" + Secrets.mask(broker) + "]";
    }
}
