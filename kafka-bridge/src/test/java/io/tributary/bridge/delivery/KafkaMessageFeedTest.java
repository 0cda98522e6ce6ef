package io.tributary.bridge.delivery;

import io.tributary.bridge.EmbeddedKafkaSettings;
import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.TopicSettings;
import io.tributary.bridge.mapping.TopicMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

class KafkaMessageFeedTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    /** MockConsumer returns at once when it has nothing; wait a little like a real poll so the feed does not spin. */
    private static final class IdleMockConsumer extends MockConsumer<byte[], byte[]> {
        IdleMockConsumer() {
            super("latest");
        }

        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
            if (records.isEmpty()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            return records;
        }
    }

    private final IdleMockConsumer consumer = new IdleMockConsumer();
    private final KafkaMessageFeed feed = new KafkaMessageFeed(consumer, TopicMapper.defaultOnly("t"), 1);
    private final List<OutboundMessage> received = new CopyOnWriteArrayList<>();

    private void twoPartitionsEndingAt(long end0, long end1) {
        consumer.updatePartitions("t", List.of(new PartitionInfo("t", 0, null, null, null),
                new PartitionInfo("t", 1, null, null, null)));
        consumer.updateEndOffsets(Map.of(P0, end0, P1, end1));
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset, String key) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                Long.toString(offset).getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void close() {
        feed.close();
    }

    @Test
    void readsEveryPartitionFromTheEndAndCountsWhatItSkips() {
        twoPartitionsEndingAt(5, 0);
        feed.start((batch, positions) -> received.addAll(batch));

        assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1);
        assertThat(consumer.position(P0)).isEqualTo(5);
        assertThat(consumer.position(P1)).isZero();
        assertThat(feed.isRunning()).isTrue();

        consumer.addRecord(record(P0, 4, "before/start")); // below the position: not read
        consumer.addRecord(record(P0, 5, "a"));
        consumer.addRecord(record(P0, 6, null)); // no topic: skipped
        consumer.addRecord(record(P0, 7, "a"));
        consumer.addRecord(record(P1, 0, "b"));

        await().atMost(Duration.ofSeconds(10)).until(() -> feed.recordsRead() == 4);
        assertThat(received).extracting(OutboundMessage::topic, OutboundMessage::offset)
                .containsExactlyInAnyOrder(tuple("a", 5L), tuple("a", 7L), tuple("b", 0L));
        assertThat(received.stream().filter(m -> m.topic().equals("a")).map(OutboundMessage::offset))
                .containsExactly(5L, 7L);
        assertThat(received).allSatisfy(m -> assertThat(m.qos()).isEqualTo(1));
        assertThat(feed.messagesDelivered()).isEqualTo(3);
        assertThat(feed.recordsSkipped()).isEqualTo(1);
    }

    @Test
    void aFailingListenerDoesNotStopTheFeed() {
        twoPartitionsEndingAt(0, 0);
        AtomicInteger calls = new AtomicInteger();
        feed.start((batch, positions) -> {
            if (calls.getAndIncrement() == 0) {
                throw new IllegalStateException("listener bug");
            }
            received.addAll(batch);
        });

        consumer.addRecord(record(P0, 0, "first"));
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
        consumer.addRecord(record(P0, 1, "second"));

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        assertThat(received.get(0).topic()).isEqualTo("second");
        assertThat(feed.messagesDelivered()).isEqualTo(2);
        assertThat(feed.isRunning()).isTrue();
    }

    @Test
    void aPollOfOnlySkippedRecordsStillAdvancesThePositions() {
        twoPartitionsEndingAt(3, 0);
        List<Map<PartitionId, Long>> seen = new CopyOnWriteArrayList<>();
        Map<PartitionId, Long> start = feed.start((batch, positions) -> {
            assertThat(batch).isEmpty();
            seen.add(positions);
        });
        assertThat(start).isEqualTo(Map.of(new PartitionId("t", 0), 3L, new PartitionId("t", 1), 0L));

        consumer.addRecord(record(P0, 3, null));
        consumer.addRecord(new ConsumerRecord<>("t", 1, 0L, "tombstone".getBytes(StandardCharsets.UTF_8), null));

        await().atMost(Duration.ofSeconds(10)).until(() -> feed.recordsSkipped() == 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty()
                && seen.get(seen.size() - 1).equals(Map.of(new PartitionId("t", 0), 4L, new PartitionId("t", 1), 1L)));
        assertThat(feed.recordsRead()).isEqualTo(2);
        assertThat(feed.messagesDelivered()).isZero();
    }

    @Test
    void closeEndsTheThreadClosesTheConsumerAndIsIdempotent() {
        twoPartitionsEndingAt(0, 0);
        feed.start((batch, positions) -> received.addAll(batch));

        feed.close();
        assertThat(feed.isRunning()).isFalse();
        assertThat(consumer.closed()).isTrue();
        feed.close();
        assertThatThrownBy(() -> feed.start((batch, positions) -> received.addAll(batch))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeWithoutStartClosesTheConsumer() {
        feed.close();
        assertThat(consumer.closed()).isTrue();
    }

    @Test
    void aMissingTopicFailsTheStartNamingIt() {
        assertThatThrownBy(() -> feed.start((batch, positions) -> received.addAll(batch)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'t'")
                .hasMessageContaining("does not exist");
        assertThat(consumer.closed()).isTrue();
        assertThat(feed.isRunning()).isFalse();
    }

    @Test
    void startingTwiceIsRefused() {
        twoPartitionsEndingAt(0, 0);
        feed.start((batch, positions) -> received.addAll(batch));
        assertThatThrownBy(() -> feed.start((batch, positions) -> received.addAll(batch))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void consumerDefaultsThenPassThrough() {
        KafkaSettings settings = new KafkaSettings("h:9092", TopicSettings.defaults(),
                EmbeddedKafkaSettings.defaults(Path.of("unused")), 1 << 20, Map.of(),
                Map.of("fetch.max.wait.ms", "5", "client.id", "node-1-feed"), Map.of());

        Map<String, Object> config = KafkaMessageFeed.consumerConfig(settings);

        assertThat(config).containsEntry("bootstrap.servers", "h:9092")
                .containsEntry("enable.auto.commit", "false")
                .containsEntry("fetch.min.bytes", "1")
                .containsEntry("fetch.max.wait.ms", "5")
                .containsEntry("max.poll.records", "2000")
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("auto.offset.reset", "latest")
                .containsEntry("client.id", "node-1-feed")
                .doesNotContainKey("group.id");
        assertThatThrownBy(() -> KafkaMessageFeed.consumerConfig(settings.withBootstrapServers(null)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
