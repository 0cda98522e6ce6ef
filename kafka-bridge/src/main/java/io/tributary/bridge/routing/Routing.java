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

    /** The deliveries-topic partition that {@code nodeId} reads. */
    public static int partitionOf(String nodeId, int partitions) {
        return Utils.toPositive(Utils.murmur2(nodeId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
