package io.tributary.schemas;

import io.tributary.schemas.routing.ClientSubscriptions;
import io.tributary.schemas.routing.RouteWatermark;

/**
 * The codecs of the records of routed fan-out, each knowing every version of its schema kept in {@code history/}.
 * Wrap one in an {@link AvroSerde} for Kafka.
 */
public final class RoutingCodecs {

    /** Values of {@code mqtt.subscriptions}, keyed by client id. */
    public static final AvroCodec<ClientSubscriptions> CLIENT_SUBSCRIPTIONS =
            AvroCodec.of(ClientSubscriptions.class, 1);
    /** Values of the watermark records of {@code mqtt.deliveries} (key U+0000 then {@code watermark}). */
    public static final AvroCodec<RouteWatermark> ROUTE_WATERMARK = AvroCodec.of(RouteWatermark.class, 1);

    private RoutingCodecs() {
    }
}
