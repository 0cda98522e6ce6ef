package io.tributary.streams.presence;

import io.tributary.schemas.AnalyticsCodecs;
import io.tributary.schemas.AvroSerde;
import io.tributary.schemas.analytics.ClientEvent;
import io.tributary.schemas.analytics.Presence;
import io.tributary.streams.TopicSpec;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

/**
 * The presence app: from the broker nodes' connect and disconnect events, the compacted table of who is online
 * (see {@link PresenceTracker} for how takeovers and late events are handled).
 *
 * <pre>
 * mqtt.events (client id -> ClientEvent) -> track (store: last accepted event per client) -> mqtt.presence
 * </pre>
 */
public final class PresenceTopology {

    /** The state store (and the name of its changelog): renaming it loses the app's state. */
    static final String LAST_EVENTS = "presence-last-events";

    private PresenceTopology() {
    }

    /** The topics of the app, typed. */
    public record Topics(TopicSpec<String, ClientEvent> events, TopicSpec<String, Presence> presence) {

        public static Topics of(PresenceSettings settings) {
            return new Topics(
                    new TopicSpec<>(settings.eventsTopic(), Serdes.String(),
                            new AvroSerde<>(AnalyticsCodecs.CLIENT_EVENT)),
                    new TopicSpec<>(settings.presenceTopic(), Serdes.String(),
                            new AvroSerde<>(AnalyticsCodecs.PRESENCE)));
        }
    }

    /** The topology for {@code settings}; pure, touches nothing outside. */
    public static Topology build(PresenceSettings settings) {
        Topics topics = Topics.of(settings);
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LAST_EVENTS),
                Serdes.String(), topics.events().valueSerde()));
        builder.stream(topics.events().name(), topics.events().consumed().withName("events"))
                .process(() -> new PresenceTracker(LAST_EVENTS, settings.forgetAfter()), Named.as("track"),
                        LAST_EVENTS)
                .to(topics.presence().name(), topics.presence().produced().withName("presence-out"));
        return builder.build();
    }
}
