package io.tributary.streams.retained;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

import java.util.Objects;

/**
 * The retained-state app: derives the compacted retained topic from the retained publishes in the message topics.
 *
 * <p>Two sub-topologies. The first keeps the records whose {@code mqtt.retain} header is {@code true} and whose
 * {@code mqtt.topic} header is a valid topic name, stamps each with where it is in its message topic
 * ({@code mqtt.source.*}) and re-keys it by MQTT topic; a repartition topic then brings every version of an MQTT
 * topic to one task, whatever key the producer used. The second writes a non-empty payload to the retained topic,
 * a tombstone for an empty one, and a tombstone once an MQTT 5 Message Expiry has passed (see
 * {@link RetainedStateProcessor}).
 */
public final class RetainedTopology {

    /** Prefix of the application id; the retained topic follows it. */
    public static final String APPLICATION_ID_PREFIX = "tributary-retained-";
    /** Name of the repartition topic (Kafka Streams prefixes it with the application id). */
    public static final String REPARTITION_NAME = "retained-by-topic";
    /** Store: MQTT topic -> when its retained message expires (epoch ms). */
    public static final String EXPIRY_BY_TOPIC_STORE = "retained-expiry-by-topic";
    /** Store: expiry (8 bytes big-endian epoch ms) + MQTT topic -> nothing; ordered by expiry for range scans. */
    public static final String EXPIRY_SCHEDULE_STORE = "retained-expiry-schedule";

    private RetainedTopology() {
    }

    /**
     * The application id for an app writing {@code retainedTopic}: apps writing different retained topics (so
     * reading different topic sets) never share a consumer group, state or internal topics.
     */
    public static String applicationId(String retainedTopic) {
        Objects.requireNonNull(retainedTopic, "retainedTopic");
        return APPLICATION_ID_PREFIX + retainedTopic;
    }

    /** The topology; builds only, touches nothing. */
    public static Topology build(RetainedSettings settings) {
        Objects.requireNonNull(settings, "settings");
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(EXPIRY_BY_TOPIC_STORE), Serdes.Bytes(), Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(EXPIRY_SCHEDULE_STORE), Serdes.Bytes(), Serdes.ByteArray()));

        builder.stream(settings.messageTopics(),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("retained-messages"))
                .process(RetainedPublishSelector::new, Named.as("retained-select"))
                .repartition(Repartitioned.<byte[], byte[]>as(REPARTITION_NAME)
                        .withKeySerde(Serdes.ByteArray())
                        .withValueSerde(Serdes.ByteArray()))
                .process(() -> new RetainedStateProcessor(settings.expiryCheckInterval()),
                        Named.as("retained-state"), EXPIRY_BY_TOPIC_STORE, EXPIRY_SCHEDULE_STORE)
                .to(settings.retainedTopic(),
                        Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("retained-sink"));
        return builder.build();
    }
}
