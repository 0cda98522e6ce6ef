package io.tributary.bridge;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The embedded single-node KRaft broker that runs when no external cluster is configured.
 *
 * @param dataDir          log and metadata directory (formatted on first start, reused after)
 * @param host             listener address; 127.0.0.1 by default so that only this machine reaches it
 * @param port             client listener port (kcat -b host:port)
 * @param controllerPort   KRaft controller listener port
 * @param retentionMs      log.retention.ms: how long message records are kept
 * @param retentionBytes   log.retention.bytes: the most a partition keeps
 * @param segmentBytes     log.segment.bytes
 * @param brokerOverrides  further broker properties, verbatim (override ours)
 */
public record EmbeddedKafkaSettings(
        Path dataDir,
        String host,
        int port,
        int controllerPort,
        long retentionMs,
        long retentionBytes,
        int segmentBytes,
        Map<String, String> brokerOverrides) {

    public static final int DEFAULT_PORT = 9092;
    public static final int DEFAULT_CONTROLLER_PORT = 9093;

    public EmbeddedKafkaSettings {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(host, "host");
        brokerOverrides = brokerOverrides == null ? Map.of() : Map.copyOf(brokerOverrides);
    }

    /** Defaults under {@code dataDir}: one day or 1 GiB per partition, 64 MiB segments. */
    public static EmbeddedKafkaSettings defaults(Path dataDir) {
        return new EmbeddedKafkaSettings(dataDir, "127.0.0.1", DEFAULT_PORT, DEFAULT_CONTROLLER_PORT,
                24L * 60 * 60 * 1000, 1024L * 1024 * 1024, 64 * 1024 * 1024, Map.of());
    }

    public String bootstrapServers() {
        return host + ":" + port;
    }
}
