package io.tributary.streams.fanout;

import io.tributary.bridge.delivery.MessageRecords;
import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.publish.MessageHeaders;
import io.tributary.schemas.RoutingCodecs;
import io.tributary.schemas.routing.AppliedOffset;
import io.tributary.schemas.routing.RouteWatermark;
import io.tributary.schemas.routing.SourceOffset;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Routes each record of the message topics to the nodes with a matching subscriber (one copy per node, keyed by
 * node id) and writes this task's watermarks (see {@link FanoutTopology}).
 *
 * <p>The watermark's {@code subscriptionsApplied} is read from the index when the watermark is written, on the
 * task's thread, so after every record the task has routed so far: every record it routes later is matched against
 * an index at least that new.
 */
final class RoutingProcessor extends ContextualProcessor<byte[], byte[], byte[], byte[]> {

    private static final byte[] WATERMARK_KEY = FanoutTopology.WATERMARK_KEY.getBytes(StandardCharsets.UTF_8);
    private static final byte[] WATERMARK_CONTROL = FanoutTopology.CONTROL_WATERMARK.getBytes(StandardCharsets.UTF_8);
    private static final Comparator<Position> BY_TOPIC_AND_PARTITION =
            Comparator.comparing((Position p) -> p.topic).thenComparingInt(p -> p.partition);

    private final SubscriptionIndex index;
    private final MessageRecords messageRecords;
    private final Duration watermarkInterval;
    private final long idleIntervalMs;

    /** The message-topic partitions this task has processed records of; a handful (one per message topic). */
    private final List<Position> positions = new ArrayList<>(4);
    private int taskPartition;
    private boolean processedSinceWatermark;
    private boolean watermarkWritten;
    private long lastWatermarkAt;
    private SortedMap<Integer, Long> lastApplied;

    RoutingProcessor(SubscriptionIndex index, MessageRecords messageRecords, Duration watermarkInterval,
            Duration watermarkIdleInterval) {
        this.index = index;
        this.messageRecords = messageRecords;
        this.watermarkInterval = watermarkInterval;
        this.idleIntervalMs = watermarkIdleInterval.toMillis();
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        super.init(context);
        taskPartition = context.taskId().partition();
        // wall clock: watermarks must flow while no record arrives, and stream time only moves with records
        context.schedule(watermarkInterval, PunctuationType.WALL_CLOCK_TIME, this::maybeWriteWatermark);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context().recordMetadata().orElseThrow(
                () -> new IllegalStateException("a message record without its topic, partition and offset"));
        processed(source.topic(), source.partition(), source.offset());
        byte[] payload = record.value();
        if (payload == null) {
            return; // a tombstone is no message
        }
        // exactly as a node finds the topic: the mqtt.topic header, else the mapping rule's template or the key
        OutboundMessage message = messageRecords.toMessage(new ConsumerRecord<>(source.topic(), source.partition(),
                source.offset(), record.timestamp(), TimestampType.CREATE_TIME, -1, -1, record.key(), payload,
                record.headers(), Optional.empty()));
        if (message == null) {
            return;
        }
        Collection<String> nodes = index.nodesFor(message.topic());
        if (nodes.isEmpty()) {
            return;
        }
        Headers headers = deliveryHeaders(record.headers(), message.topic(), source);
        for (String node : nodes) {
            if (node.equals(FanoutTopology.WATERMARK_KEY)) {
                continue; // not a node id a node can have
            }
            context().forward(new Record<>(node.getBytes(StandardCharsets.UTF_8), payload, record.timestamp(),
                    headers));
        }
    }

    private void processed(String topic, int partition, long offset) {
        processedSinceWatermark = true;
        for (int i = 0; i < positions.size(); i++) {
            Position p = positions.get(i);
            if (p.partition == partition && p.topic.equals(topic)) {
                p.nextOffset = offset + 1;
                return;
            }
        }
        positions.add(new Position(topic, partition, offset + 1));
    }

    /**
     * The original headers with the MQTT topic as the node will read it (one {@code mqtt.topic}, the resolved one,
     * where the original had it or else added) and where the record is in its message topic; a producer's own
     * {@code mqtt.source.*} and {@code mqtt.control} headers are dropped, a node must be able to trust them.
     */
    static Headers deliveryHeaders(Headers original, String topic, RecordMetadata source) {
        RecordHeaders headers = new RecordHeaders();
        boolean topicAdded = false;
        for (Header header : original) {
            String name = header.key();
            switch (name) {
                case MessageHeaders.TOPIC -> {
                    if (!topicAdded) {
                        headers.add(new RecordHeader(MessageHeaders.TOPIC, utf8(topic)));
                        topicAdded = true;
                    }
                }
                case MessageHeaders.SOURCE_TOPIC, MessageHeaders.SOURCE_PARTITION, MessageHeaders.SOURCE_OFFSET,
                        FanoutTopology.CONTROL_HEADER -> {
                    // not the producer's to set
                }
                default -> headers.add(header);
            }
        }
        if (!topicAdded) {
            headers.add(new RecordHeader(MessageHeaders.TOPIC, utf8(topic)));
        }
        headers.add(new RecordHeader(MessageHeaders.SOURCE_TOPIC, utf8(source.topic())));
        headers.add(new RecordHeader(MessageHeaders.SOURCE_PARTITION, utf8(Integer.toString(source.partition()))));
        headers.add(new RecordHeader(MessageHeaders.SOURCE_OFFSET, utf8(Long.toString(source.offset()))));
        return headers;
    }

    private void maybeWriteWatermark(long now) {
        // read after every record routed so far (this thread), before any routed later
        SortedMap<Integer, Long> applied = index.appliedOffsets();
        boolean changed = !watermarkWritten || processedSinceWatermark || !applied.equals(lastApplied);
        if (!changed && now - lastWatermarkAt < idleIntervalMs) {
            return;
        }
        positions.sort(BY_TOPIC_AND_PARTITION);
        List<SourceOffset> sources = new ArrayList<>(positions.size());
        for (Position p : positions) {
            sources.add(new SourceOffset(p.topic, p.partition, p.nextOffset));
        }
        List<AppliedOffset> subscriptionsApplied = new ArrayList<>(applied.size());
        for (Map.Entry<Integer, Long> entry : applied.entrySet()) {
            subscriptionsApplied.add(new AppliedOffset(entry.getKey(), entry.getValue()));
        }
        RouteWatermark watermark = new RouteWatermark(taskPartition, sources, subscriptionsApplied,
                Instant.ofEpochMilli(now));
        Headers headers = new RecordHeaders();
        headers.add(new RecordHeader(FanoutTopology.CONTROL_HEADER, WATERMARK_CONTROL));
        // the partitioner writes it to every partition of the deliveries topic
        context().forward(new Record<>(WATERMARK_KEY, RoutingCodecs.ROUTE_WATERMARK.encode(watermark), now,
                headers));
        watermarkWritten = true;
        processedSinceWatermark = false;
        lastWatermarkAt = now;
        lastApplied = applied;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final class Position {
        final String topic;
        final int partition;
        long nextOffset;

        Position(String topic, int partition, long nextOffset) {
            this.topic = topic;
            this.partition = partition;
            this.nextOffset = nextOffset;
        }
    }
}
