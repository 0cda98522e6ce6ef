package io.tributary.streams.retained;

import io.tributary.bridge.publish.MessageHeaders;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keeps the retained publishes of a message topic, stamps each with where it is ({@code mqtt.source.*}) and keys
 * it by its MQTT topic. Everything else is dropped.
 */
final class RetainedPublishSelector extends ContextualProcessor<byte[], byte[], byte[], byte[]> {

    private static final byte[] TRUE = "true".getBytes(StandardCharsets.UTF_8);

    @Override
    public void process(Record<byte[], byte[]> record) {
        Headers headers = record.headers();
        if (!isRetained(headers)) {
            return;
        }
        byte[] topic = validTopic(headers);
        if (topic == null) {
            return;
        }
        // Where the record is in its message topic, the position a node compares to tell versions apart. A
        // producer's own mqtt.source.* headers are replaced, never kept beside ours.
        RecordMetadata source = context().recordMetadata()
                .orElseThrow(() -> new IllegalStateException("a source record has no metadata"));
        replace(headers, MessageHeaders.SOURCE_TOPIC, source.topic());
        replace(headers, MessageHeaders.SOURCE_PARTITION, Integer.toString(source.partition()));
        replace(headers, MessageHeaders.SOURCE_OFFSET, Long.toString(source.offset()));
        context().forward(record.withKey(topic));
    }

    private static boolean isRetained(Headers headers) {
        Header retain = headers.lastHeader(MessageHeaders.RETAIN);
        return retain != null && Arrays.equals(retain.value(), TRUE);
    }

    /** The MQTT topic as UTF-8, or null unless it is a topic name a PUBLISH may carry. */
    static byte[] validTopic(Headers headers) {
        Header header = headers.lastHeader(MessageHeaders.TOPIC);
        byte[] topic = header == null ? null : header.value();
        if (topic == null || topic.length == 0) {
            return null;
        }
        // '+' and '#' are ASCII; UTF-8 never uses those bytes inside a multi-byte character
        for (byte b : topic) {
            if (b == '+' || b == '#') {
                return null;
            }
        }
        return topic;
    }

    private static void replace(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
