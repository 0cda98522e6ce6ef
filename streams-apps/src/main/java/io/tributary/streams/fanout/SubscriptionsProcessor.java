package io.tributary.streams.fanout;

import io.tributary.schemas.RoutingCodecs;
import io.tributary.schemas.routing.ClientSubscriptions;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Keeps the global store of the subscriptions topic and the {@link SubscriptionIndex} in step with it.
 *
 * <p>A record replaces the client's stored one unless its epoch is lower (a late write of a connection that was
 * taken over); a tombstone removes the client. Every record read, applied or not, advances the applied offset of
 * its partition, kept both in the index and in the store (under {@link #APPLIED_KEY_PREFIX}), so that after a
 * restart the watermarks do not start again from nothing.
 *
 * <p>Restoration. Kafka Streams 4.4 restores a global store added with a processor by handing the records from the
 * offset the store had reached to the end of the topic to a separate instance of this processor (created by the
 * same supplier, {@code init} called first) before the instance that reads the live records is initialised.
 * Records before that offset are not read again (the persistent store keeps the offset itself; there is no
 * {@code .checkpoint} file in 4.4): they are in the store only. So {@link #init} rebuilds the index from the whole
 * store, and the records restored after it go through {@link #process} like live ones. Both instances run on the
 * global thread, one after the other; the second {@code init} finds the index already equal to the store and
 * changes nothing. {@code FanoutIT} fails if either half is missing.
 */
final class SubscriptionsProcessor implements Processor<String, byte[], Void, Void> {

    /**
     * Store keys of the applied offsets, followed by the partition number in decimal; a client id never contains
     * U+0000 (MQTT-1.5.4-2), so they cannot collide with one.
     */
    static final String APPLIED_KEY_PREFIX = "\u0000applied/";

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionsProcessor.class);

    private final SubscriptionIndex index;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, byte[]> store;

    SubscriptionsProcessor(SubscriptionIndex index) {
        this.index = index;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(FanoutTopology.SUBSCRIPTIONS_STORE);
        int clients = 0;
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                if (entry.key.startsWith(APPLIED_KEY_PREFIX)) {
                    index.applied(Integer.parseInt(entry.key.substring(APPLIED_KEY_PREFIX.length())),
                            ByteBuffer.wrap(entry.value).getLong());
                    continue;
                }
                ClientSubscriptions subscriptions = decode(entry.key, entry.value);
                if (subscriptions != null) {
                    // whatever the index holds for the client already came from this store: put, never remove
                    index.replace(entry.key, null, subscriptions);
                    clients++;
                }
            }
        }
        LOG.info("subscriptions index rebuilt from the store: {} clients, {} subscriptions of connected ones,"
                + " applied offsets {}", clients, index.size(), index.appliedOffsets());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String clientId = record.key();
        if (clientId != null && !clientId.startsWith(APPLIED_KEY_PREFIX)) {
            apply(clientId, record.value());
        }
        Optional<RecordMetadata> metadata = context.recordMetadata();
        if (metadata.isPresent()) {
            int partition = metadata.get().partition();
            long offset = metadata.get().offset();
            store.put(APPLIED_KEY_PREFIX + partition, ByteBuffer.allocate(Long.BYTES).putLong(offset).array());
            // after the change: a reader that sees the offset sees the change
            index.applied(partition, offset);
        }
    }

    private void apply(String clientId, byte[] value) {
        byte[] storedValue = store.get(clientId);
        ClientSubscriptions stored = storedValue == null ? null : decode(clientId, storedValue);
        if (value == null) {
            index.replace(clientId, stored, null);
            store.delete(clientId);
            return;
        }
        ClientSubscriptions update = decode(clientId, value);
        if (update == null) {
            return;
        }
        if (stored != null && update.getEpoch() < stored.getEpoch()) {
            LOG.debug("client {}: ignoring subscriptions of epoch {}, it has epoch {}", clientId, update.getEpoch(),
                    stored.getEpoch());
            return;
        }
        if (!clientId.equals(update.getClientId())) {
            LOG.warn("the subscriptions record keyed {} names client {}; applied to the key", clientId,
                    update.getClientId());
        }
        index.replace(clientId, stored, update);
        store.put(clientId, value);
    }

    private static ClientSubscriptions decode(String clientId, byte[] value) {
        try {
            return RoutingCodecs.CLIENT_SUBSCRIPTIONS.decode(value);
        } catch (IllegalArgumentException e) {
            LOG.warn("client {}: ignoring a record of the subscriptions topic that is not a ClientSubscriptions: {}",
                    clientId, e.getMessage());
            return null;
        }
    }
}
