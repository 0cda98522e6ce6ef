package io.tributary.it;

import java.nio.charset.StandardCharsets;
import io.tributary.bridge.testing.SharedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Reading Kafka records in assertions. */
final class Records {

    private Records() {
    }

    static String key(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    }

    static String value(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    /** The last header of that name as UTF-8, or null. */
    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    static List<String> headers(ConsumerRecord<byte[], byte[]> record, String name) {
        List<String> values = new ArrayList<>();
        for (Header h : record.headers().headers(name)) {
            values.add(new String(h.value(), StandardCharsets.UTF_8));
        }
        return values;
    }

    /** The records of {@code topic} that match, once there are {@code count}; see {@link SharedKafka#read}. */
    static List<ConsumerRecord<byte[], byte[]>> await(String bootstrapServers, String topic,
            Predicate<ConsumerRecord<byte[], byte[]>> matching, int count, Duration timeout) {
        return SharedKafka.read(bootstrapServers, topic, matching, count, timeout);
    }
}
