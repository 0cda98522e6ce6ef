package io.tributary.bridge.routing;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/** What the fan-out app and the nodes agree on about the deliveries topic. */
public final class Routing {

    /** Header of control records in the deliveries topic; its value says which kind ({@link #WATERMARK}). */
    public static final String CONTROL_HEADER = "mqtt.control";
    public static final String WATERMARK = "watermark";

    private Routing() {
    }

    /**
     * The deliveries-topic partition that {@code nodeId} reads: Kafka's own partition for it as a record key
     * (murmur2 of its UTF-8 bytes).
     */
    public static int partitionOf(String nodeId, int partitions) {
        return partitionOf(nodeId.getBytes(StandardCharsets.UTF_8), partitions);
    }

    /** {@link #partitionOf(String, int)} of a node id's UTF-8 bytes. */
    public static int partitionOf(byte[] nodeId, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be positive: " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(nodeId)) % partitions;
    }
}
