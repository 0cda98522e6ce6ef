package io.tributary.bridge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.delivery.PartitionId;
import io.tributary.bridge.mapping.TopicMapper;
import io.tributary.bridge.publish.MessageHeaders;
import io.tributary.schemas.RoutingCodecs;
import io.tributary.schemas.routing.AppliedOffset;
import io.tributary.schemas.routing.RouteWatermark;
import io.tributary.schemas.routing.SourceOffset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What this node reads in routed mode: deliveries, positions from watermarks, subscriptions applied. */
class RoutedMessageFeedTest {

    private static final String NODE = "node-a";
    private static final TopicPartition MINE = new TopicPartition("d", Routing.partitionOf(NODE, 2));
    private static final PartitionId M0 = new PartitionId("m", 0);
    private static final PartitionId M1 = new PartitionId("m", 1);

    /** MockConsumer returns at once when it has nothing; wait a little like a real poll. */
    private static final class IdleMockConsumer extends MockConsumer<byte[], byte[]> {
        IdleMockConsumer() {
            super("latest");
        }

        @Override
        public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
            if (records.isEmpty()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            return records;
        }
    }

    private final IdleMockConsumer consumer = new IdleMockConsumer();
    private final RoutedMessageFeed feed = new RoutedMessageFeed(consumer, TopicMapper.defaultOnly("m"), 1, "d", NODE);
    private final List<OutboundMessage> received = new CopyOnWriteArrayList<>();
    private volatile Map<PartitionId, Long> positions;
    private long offset;
    private Map<PartitionId, Long> start;

    @BeforeEach
    void start() {
        consumer.updatePartitions("m", List.of(new PartitionInfo("m", 0, null, null, null),
                new PartitionInfo("m", 1, null, null, null)));
        consumer.updatePartitions("d", List.of(new PartitionInfo("d", 0, null, null, null),
                new PartitionInfo("d", 1, null, null, null)));
        consumer.updateEndOffsets(Map.of(new TopicPartition("m", 0), 10L, new TopicPartition("m", 1), 20L, MINE, 0L));
        start = feed.start((batch, at) -> {
            received.addAll(batch);
            positions = at;
        });
    }

    @AfterEach
    void close() {
        feed.close();
    }

    private void delivery(PartitionId source, long sourceOffset, String topic) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader(MessageHeaders.TOPIC, utf8(topic)));
        headers.add(new RecordHeader(MessageHeaders.SOURCE_TOPIC, utf8(source.topic())));
        headers.add(new RecordHeader(MessageHeaders.SOURCE_PARTITION, utf8(String.valueOf(source.partition()))));
        headers.add(new RecordHeader(MessageHeaders.SOURCE_OFFSET, utf8(String.valueOf(sourceOffset))));
        add(utf8(NODE), utf8("payload-" + sourceOffset), headers);
    }

    private void watermark(int task, Map<PartitionId, Long> sources, Map<Integer, Long> applied) {
        RouteWatermark watermark = RouteWatermark.newBuilder().setTaskPartition(task)
                .setSources(sources.entrySet().stream().map(e -> SourceOffset.newBuilder()
                        .setTopic(e.getKey().topic()).setPartition(e.getKey().partition())
                        .setNextOffset(e.getValue()).build()).toList())
                .setSubscriptionsApplied(applied.entrySet().stream().map(e -> AppliedOffset.newBuilder()
                        .setPartition(e.getKey()).setOffset(e.getValue()).build()).toList())
                .setEmittedAt(Instant.now()).build();
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader(Routing.CONTROL_HEADER, utf8(Routing.WATERMARK)));
        add(utf8("\u0000watermark"), RoutingCodecs.ROUTE_WATERMARK.encode(watermark), headers);
    }

    private void add(byte[] key, byte[] value, RecordHeaders headers) {
        consumer.addRecord(new ConsumerRecord<>(MINE.topic(), MINE.partition(), offset++, 0L,
                TimestampType.CREATE_TIME, key.length, value.length, key, value, headers, Optional.empty()));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void startsFromTheEndsOfTheMessagePartitionsAndTakesTheAppsPositionsOnceItTellsThem() {
        assertThat(start).isEqualTo(Map.of(M0, 10L, M1, 20L));
        // the app is behind on m-0 (it has routed up to 5): its word replaces the estimate, even downwards
        watermark(0, Map.of(M0, 5L), Map.of());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> positions != null);
        assertThat(positions).isEqualTo(Map.of(M0, 5L, M1, 20L));
        delivery(M0, 7, "a/b");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        OutboundMessage message = received.get(0);
        assertThat(message.topic()).isEqualTo("a/b");
        assertThat(message.kafkaTopic()).as("where the message is in its message topic").isEqualTo("m");
        assertThat(message.offset()).isEqualTo(7);
        assertThat(positions).containsEntry(M0, 8L);
    }

    @Test
    void aDeliveryRoutedTwiceIsDroppedAndWatermarksAreNoMessages() {
        watermark(0, Map.of(M0, 3L), Map.of());
        delivery(M0, 3, "x");
        delivery(M0, 4, "x");
        delivery(M0, 3, "x"); // the app reprocessed after a failure
        delivery(M0, 5, "x");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3);
        assertThat(received).extracting(OutboundMessage::offset).containsExactly(3L, 4L, 5L);
        assertThat(feed.duplicatesDropped()).isEqualTo(1);
        assertThat(feed.recordsRead()).isEqualTo(5);
    }

    @Test
    void anUpdateCountsAsAppliedOnceEveryTaskHasAppliedIt() {
        CompletableFuture<Void> applied = feed.applied(1, 40).toCompletableFuture();
        watermark(0, Map.of(), Map.of(1, 41L));
        watermark(1, Map.of(), Map.of(0, 99L, 1, 39L)); // task 1 is not there yet
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> feed.recordsRead() == 2);
        assertThat(applied).isNotDone();
        watermark(1, Map.of(), Map.of(1, 40L));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(applied::isDone);
        assertThat(applied).isCompleted();
    }

    @Test
    void closingFailsWhatIsStillWaitingToBeApplied() {
        CompletableFuture<Void> applied = feed.applied(0, 1).toCompletableFuture();
        feed.close();
        assertThat(applied).isCompletedExceptionally();
    }
}
