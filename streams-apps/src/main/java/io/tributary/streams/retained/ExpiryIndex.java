package io.tributary.streams.retained;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pending Message Expiries, at most one per MQTT topic, in two stores: topic -> expiry, to find and cancel a
 * topic's expiry when a newer version arrives; and (expiry big-endian + topic) -> nothing, ordered by expiry so that
 * finding what is due reads only what is due.
 */
final class ExpiryIndex {

    private static final byte[] NOTHING = new byte[0];

    private final KeyValueStore<Bytes, Long> byTopic;
    private final KeyValueStore<Bytes, byte[]> schedule;

    ExpiryIndex(KeyValueStore<Bytes, Long> byTopic, KeyValueStore<Bytes, byte[]> schedule) {
        this.byTopic = byTopic;
        this.schedule = schedule;
    }

    /** {@code topic} expires at {@code expiresAt} (epoch ms, not negative), instead of when it did before. */
    void schedule(byte[] topic, long expiresAt) {
        cancel(topic);
        byTopic.put(Bytes.wrap(topic), expiresAt);
        schedule.put(scheduleKey(expiresAt, topic), NOTHING);
    }

    /** {@code topic} no longer expires. */
    void cancel(byte[] topic) {
        Bytes key = Bytes.wrap(topic);
        Long expiresAt = byTopic.get(key);
        if (expiresAt != null) {
            schedule.delete(scheduleKey(expiresAt, topic));
            byTopic.delete(key);
        }
    }

    /** Forgets and returns, earliest first, the topics that expire at or before {@code now}. */
    List<byte[]> removeDue(long now) {
        if (now < 0) {
            return List.of();
        }
        List<Bytes> due = new ArrayList<>();
        // Keys are at least 9 bytes (expiry + a non-empty topic), so none equals the 8-byte bound: everything
        // below it expires at or before now.
        Bytes bound = now == Long.MAX_VALUE ? null : Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(now + 1).array());
        // collected first: the stores are not written while an iterator is open
        try (KeyValueIterator<Bytes, byte[]> it = schedule.range(null, bound)) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> entry = it.next();
                if (ByteBuffer.wrap(entry.key.get()).getLong() > now) {
                    break;
                }
                due.add(entry.key);
            }
        }
        List<byte[]> topics = new ArrayList<>(due.size());
        for (Bytes key : due) {
            byte[] topic = Arrays.copyOfRange(key.get(), Long.BYTES, key.get().length);
            schedule.delete(key);
            byTopic.delete(Bytes.wrap(topic));
            topics.add(topic);
        }
        return topics;
    }

    private static Bytes scheduleKey(long expiresAt, byte[] topic) {
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + topic.length).putLong(expiresAt).put(topic).array());
    }
}
