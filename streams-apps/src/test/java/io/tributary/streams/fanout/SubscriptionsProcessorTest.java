package io.tributary.streams.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.RoutingCodecs;
import io.tributary.schemas.routing.ClientSubscriptions;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * The global processor on its own, for what a {@code TopologyTestDriver} cannot show: a start with a store that
 * already holds records (restored from disk up to the checkpoint), as Kafka Streams does it. {@code FanoutIT} shows
 * the same with Kafka.
 */
class SubscriptionsProcessorTest {

    private static final String TOPIC = "mqtt.subscriptions";

    private final SubscriptionIndex index = new SubscriptionIndex();
    private MockProcessorContext<Void, Void> context;
    private KeyValueStore<String, byte[]> store;

    @BeforeEach
    void store() {
        context = new MockProcessorContext<>();
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(FanoutTopology.SUBSCRIPTIONS_STORE),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
    }

    @Test
    void initRebuildsTheIndexAndTheAppliedOffsetsFromTheStore() {
        // what the store holds after a restart: written before the checkpoint, so not read from Kafka again
        store.put("c1", encode("c1", "node-a", 3, "home/#"));
        store.put("c2", encode("c2", "node-b", 1, "home/+/temp", "office/x"));
        store.put("offline", encode("offline", null, 9, "home/#"));
        store.put("garbage", new byte[] {1, 2, 3});
        store.put(SubscriptionsProcessor.APPLIED_KEY_PREFIX + "0", offset(41));
        store.put(SubscriptionsProcessor.APPLIED_KEY_PREFIX + "3", offset(7));

        new SubscriptionsProcessor(index).init(context);

        assertThat(index.nodesFor("home/kitchen/temp")).containsExactlyInAnyOrder("node-a", "node-b");
        assertThat(index.nodesFor("office/x")).containsExactly("node-b");
        assertThat(index.size()).isEqualTo(3);
        assertThat(index.appliedOffsets()).containsExactly(Map.entry(0, 41L), Map.entry(3, 7L));
    }

    @Test
    void recordsRestoredAfterTheCheckpointThenTheLiveInstanceLeaveTheIndexEqualToTheStore() {
        store.put("c1", encode("c1", "node-a", 3, "a/#"));
        store.put("c2", encode("c2", "node-b", 1, "b"));
        store.put(SubscriptionsProcessor.APPLIED_KEY_PREFIX + "0", offset(10));

        // the instance that restores: init, then the records from the checkpoint to the end of the topic
        SubscriptionsProcessor restoring = new SubscriptionsProcessor(index);
        restoring.init(context);
        process(restoring, 0, 11, "c1", null);
        process(restoring, 0, 12, "c2", encode("c2", "node-c", 2, "b", "c"));
        process(restoring, 1, 0, "c3", encode("c3", "node-a", 1, "c"));
        // then the live instance
        SubscriptionsProcessor live = new SubscriptionsProcessor(index);
        live.init(context);

        assertThat(index.nodesFor("a/x")).isEmpty();
        assertThat(index.nodesFor("b")).containsExactly("node-c");
        assertThat(index.nodesFor("c")).containsExactlyInAnyOrder("node-a", "node-c");
        assertThat(index.size()).isEqualTo(3);
        assertThat(index.appliedOffsets()).containsExactly(Map.entry(0, 12L), Map.entry(1, 0L));

        process(live, 0, 13, "c3", encode("c3", "node-d", 2, "d"));
        assertThat(index.nodesFor("c")).containsExactly("node-c");
        assertThat(index.nodesFor("d")).containsExactly("node-d");
    }

    @Test
    void everyRecordReadAdvancesTheAppliedOffsetInTheStoreToo() {
        SubscriptionsProcessor processor = new SubscriptionsProcessor(index);
        processor.init(context);

        process(processor, 2, 5, "c1", encode("c1", "node-a", 5, "x"));
        process(processor, 2, 6, "c1", encode("c1", "node-b", 4, "x")); // ignored: lower epoch
        process(processor, 2, 7, "c2", new byte[] {0}); // ignored: not a ClientSubscriptions

        assertThat(index.nodesFor("x")).containsExactly("node-a");
        assertThat(index.appliedOffsets()).containsExactly(Map.entry(2, 7L));
        assertThat(ByteBuffer.wrap(store.get(SubscriptionsProcessor.APPLIED_KEY_PREFIX + "2")).getLong())
                .isEqualTo(7L);
    }

    private void process(SubscriptionsProcessor processor, int partition, long offset, String clientId,
            byte[] value) {
        context.setRecordMetadata(TOPIC, partition, offset);
        processor.process(new Record<>(clientId, value, 0L));
    }

    private static byte[] encode(String clientId, String nodeId, long epoch, String... filters) {
        return RoutingCodecs.CLIENT_SUBSCRIPTIONS.encode(
                new ClientSubscriptions(clientId, nodeId, epoch, Arrays.asList(filters)));
    }

    private static byte[] offset(long offset) {
        return ByteBuffer.allocate(Long.BYTES).putLong(offset).array();
    }
}
