package io.tributary.schemas;

import io.tributary.schemas.analytics.ClientEvent;
import io.tributary.schemas.analytics.DeviceWindowStats;
import io.tributary.schemas.analytics.Presence;
import io.tributary.schemas.analytics.TopicWindowStats;
import io.tributary.schemas.analytics.WindowAccumulator;

/**
 * The codecs of the records of the streams apps (analytics and presence), each knowing every version of its schema
 * kept in {@code history/}. Wrap one in an {@link AvroSerde} for Kafka.
 */
public final class AnalyticsCodecs {

    /** Values of {@code mqtt.analytics.topics}. */
    public static final AvroCodec<TopicWindowStats> TOPIC_WINDOW_STATS = AvroCodec.of(TopicWindowStats.class, 1);
    /** Values of {@code mqtt.analytics.devices}. */
    public static final AvroCodec<DeviceWindowStats> DEVICE_WINDOW_STATS = AvroCodec.of(DeviceWindowStats.class, 1);
    /** Internal to the analytics app: its repartition topics and window stores. */
    public static final AvroCodec<WindowAccumulator> WINDOW_ACCUMULATOR = AvroCodec.of(WindowAccumulator.class, 1);
    /** Values of {@code mqtt.events}. */
    public static final AvroCodec<ClientEvent> CLIENT_EVENT = AvroCodec.of(ClientEvent.class, 1);
    /** Values of {@code mqtt.presence}. */
    public static final AvroCodec<Presence> PRESENCE = AvroCodec.of(Presence.class, 1);

    private AnalyticsCodecs() {
    }
}
