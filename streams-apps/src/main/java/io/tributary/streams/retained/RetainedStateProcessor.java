package io.tributary.streams.retained;

import io.tributary.bridge.publish.MessageHeaders;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Turns the retained publishes of one MQTT topic (keyed by it, in order) into the records of the retained topic:
 * a non-empty payload is the retained message, with its headers and timestamp; an empty one deletes it (MQTT
 * 3.3.1.3); a message with an MQTT 5 Message Expiry is deleted once it has expired (MQTT 3.3.2.3.3), unless a
 * newer version of the topic replaced it first.
 */
final class RetainedStateProcessor extends ContextualProcessor<byte[], byte[], byte[], byte[]> {

    private static final long NEVER = -1;
    private static final String[] SOURCE_HEADERS = {
            MessageHeaders.SOURCE_TOPIC, MessageHeaders.SOURCE_PARTITION, MessageHeaders.SOURCE_OFFSET};

    private final Duration expiryCheckInterval;
    private ExpiryIndex expiries;

    RetainedStateProcessor(Duration expiryCheckInterval) {
        this.expiryCheckInterval = expiryCheckInterval;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        super.init(context);
        expiries = new ExpiryIndex(context.getStateStore(RetainedTopology.EXPIRY_BY_TOPIC_STORE),
                context.getStateStore(RetainedTopology.EXPIRY_SCHEDULE_STORE));
        // wall clock: expiry must happen while no record arrives, and stream time only moves with records
        context.schedule(expiryCheckInterval, PunctuationType.WALL_CLOCK_TIME, this::expire);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        byte[] topic = record.key();
        if (topic == null || topic.length == 0) {
            return; // not from RetainedPublishSelector
        }
        // whatever comes now replaces the version whose expiry is pending
        expiries.cancel(topic);
        byte[] payload = record.value();
        if (payload == null || payload.length == 0) {
            context().forward(new Record<>(topic, null, record.timestamp(), sourceHeaders(record.headers())));
            return;
        }
        long expiresAt = expiresAt(record.timestamp(), record.headers());
        if (expiresAt != NEVER) {
            expiries.schedule(topic, expiresAt);
        }
        context().forward(record);
    }

    private void expire(long now) {
        for (byte[] topic : expiries.removeDue(now)) {
            context().forward(new Record<>(topic, null, now));
        }
    }

    /**
     * When a message published at {@code timestamp} expires, or {@link #NEVER} without a usable
     * {@code mqtt.message.expiry} (absent, not a decimal, negative, or too far away to count).
     */
    static long expiresAt(long timestamp, Headers headers) {
        Header header = headers.lastHeader(MessageHeaders.MESSAGE_EXPIRY);
        if (header == null || header.value() == null) {
            return NEVER;
        }
        try {
            long seconds = Long.parseLong(new String(header.value(), StandardCharsets.UTF_8));
            if (seconds < 0) {
                return NEVER;
            }
            return Math.addExact(Math.max(0, timestamp), Math.multiplyExact(seconds, 1000L));
        } catch (NumberFormatException | ArithmeticException e) {
            return NEVER;
        }
    }

    private static Headers sourceHeaders(Headers headers) {
        RecordHeaders source = new RecordHeaders();
        for (String name : SOURCE_HEADERS) {
            Header header = headers.lastHeader(name);
            if (header != null) {
                source.add(header);
            }
        }
        return source;
    }
}
