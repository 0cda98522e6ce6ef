package io.tributary.streams.fanout;

import io.tributary.bridge.delivery.MessageRecords;
import io.tributary.bridge.routing.Routing;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The routed fan-out app: reads every message topic, matches each message against the subscriptions of the whole
 * cluster and writes it once to the deliveries-topic partition of each node with a matching subscriber, so that in
 * routed mode a node reads only what its clients need (and matches it again against its own clients).
 *
 * <h2>Subscriptions</h2>
 * The compacted subscriptions topic (client id -> {@code ClientSubscriptions}) is a global store
 * ({@value #SUBSCRIPTIONS_STORE}) on every instance, with an in-memory index beside it (filter -> client -> node)
 * that the routing tasks match against; see {@link SubscriptionsProcessor} for how the two stay in step, also across
 * restarts. A record of a lower epoch than the client's stored one is ignored; a tombstone removes the client.
 *
 * <h2>Deliveries</h2>
 * Per message record and per node with a matching connected client, one record: key the node id (UTF-8), value the
 * payload, timestamp kept, headers the original ones with {@code mqtt.topic} (the resolved MQTT topic, also for
 * records of other producers) and {@code mqtt.source.topic}/{@code .partition}/{@code .offset} (where the message is
 * in its message topic, UTF-8 decimal), on partition {@link #partitionOf(String, int)} of the node.
 *
 * <h2>Watermarks</h2>
 * Every {@code watermarkInterval} (wall clock) each task writes, if it routed a record or the subscriptions changed
 * since its last one and at least every {@code watermarkIdleInterval}, one {@code RouteWatermark} to every
 * partition: key {@link #WATERMARK_KEY} (U+0000 then {@code watermark}), header {@value #CONTROL_HEADER} =
 * {@value #CONTROL_WATERMARK}. It says that every record of a listed source partition at or after its
 * {@code nextOffset}, and every record of an unlisted one that arrives after the watermark, is matched against
 * subscriptions at least as new as {@code subscriptionsApplied}. "Processed" includes records routed nowhere and
 * records skipped (tombstones, no valid MQTT topic).
 */
public final class FanoutTopology {

    /** Prefix of the application id; the deliveries topic follows it. */
    public static final String APPLICATION_ID_PREFIX = "tributary-fanout-";
    /** Global store: client id -> its {@code ClientSubscriptions} as read (plus the applied offsets). */
    public static final String SUBSCRIPTIONS_STORE = "fanout-subscriptions";
    /** Key of the watermark records (UTF-8): U+0000 then {@code watermark}, which no node id is. */
    public static final String WATERMARK_KEY = "\u0000watermark";
    /** Header marking the records of the deliveries topic that are not deliveries. */
    public static final String CONTROL_HEADER = Routing.CONTROL_HEADER;
    /** {@link #CONTROL_HEADER} value (UTF-8) of a watermark. */
    public static final String CONTROL_WATERMARK = Routing.WATERMARK;

    static final String SUBSCRIPTIONS_SOURCE = "fanout-subscriptions-source";
    static final String MESSAGES_SOURCE = "fanout-messages";
    static final String ROUTE_PROCESSOR = "fanout-route";
    static final String DELIVERIES_SINK = "fanout-deliveries";

    private FanoutTopology() {
    }

    /**
     * The application id for an app writing {@code deliveriesTopic}: apps writing different deliveries topics
     * never share a consumer group or state.
     */
    public static String applicationId(String deliveriesTopic) {
        Objects.requireNonNull(deliveriesTopic, "deliveriesTopic");
        return APPLICATION_ID_PREFIX + deliveriesTopic;
    }

    /**
     * The deliveries-topic partition of {@code nodeId} when the topic has {@code numPartitions}: Kafka's
     * partition for the key (murmur2 of its UTF-8 bytes), so a node reads only that partition.
     */
    public static int partitionOf(String nodeId, int numPartitions) {
        Objects.requireNonNull(nodeId, "nodeId");
        return Routing.partitionOf(nodeId, numPartitions);
    }

    static int partitionOf(byte[] nodeId, int numPartitions) {
        return Routing.partitionOf(nodeId, numPartitions);
    }

    /**
     * The topology; builds only, touches nothing. Each call has its own subscription index: build one topology
     * per {@code KafkaStreams} instance.
     */
    public static Topology build(FanoutSettings settings) {
        Objects.requireNonNull(settings, "settings");
        SubscriptionIndex index = new SubscriptionIndex();
        MessageRecords messageRecords = settings.messageRecords();
        StreamsBuilder builder = new StreamsBuilder();

        // a global store's changelog is its source topic: no logging
        builder.addGlobalStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(SUBSCRIPTIONS_STORE), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled(),
                settings.subscriptionsTopic(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(SUBSCRIPTIONS_SOURCE),
                () -> new SubscriptionsProcessor(index));

        builder.stream(settings.messageTopics(),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(MESSAGES_SOURCE))
                .process(() -> new RoutingProcessor(index, messageRecords, settings.watermarkInterval(),
                        settings.watermarkIdleInterval()), Named.as(ROUTE_PROCESSOR))
                .to(settings.deliveriesTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withStreamPartitioner(new DeliveryPartitioner())
                        .withName(DELIVERIES_SINK));
        return builder.build();
    }
}
