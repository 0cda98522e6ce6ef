package io.tributary.bridge.delivery;

import io.tributary.bridge.EmbeddedKafkaSettings;
import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.TopicSettings;
import io.tributary.bridge.delivery.MessageReplay.Result;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaMessageReplayTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);

    /** MockConsumer returns at once when it has nothing; wait a little like a real poll so the reader does not spin. */
    private static final class IdleMockConsumer extends MockConsumer<byte[], byte[]> {
        IdleMockConsumer() {
            super("none");
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
    private final KafkaMessageReplay replay = new KafkaMessageReplay(consumer, TopicMapper.defaultOnly("t"), 1);
    private final List<OutboundMessage> received = new CopyOnWriteArrayList<>();

    private void partitionWithOffsets(long start, long end) {
        consumer.updatePartitions("t", List.of(new PartitionInfo("t", 0, null, null, null)));
        consumer.updateBeginningOffsets(Map.of(P0, start));
        consumer.updateEndOffsets(Map.of(P0, end));
    }

    /** Adds records (MQTT topic = key) when the reader polls next, i.e. once the partition is assigned. */
    private void onNextPoll(long... offsets) {
        consumer.schedulePollTask(() -> {
            for (long offset : offsets) {
                consumer.addRecord(record(offset, "a/" + offset));
            }
        });
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, String key) {
        return new ConsumerRecord<>("t", 0, offset, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                Long.toString(offset).getBytes(StandardCharsets.UTF_8));
    }

    private static OffsetRange range(long from, long to) {
        return new OffsetRange(new PartitionId("t", 0), from, to);
    }

    @AfterEach
    void close() {
        replay.close();
    }

    @Test
    void aRangeIsDoneWhenThePositionPassesItsEndThoughNoRecordHasItsLastOffset() throws Exception {
        partitionWithOffsets(0, 6);
        onNextPoll(0, 1, 4);
        consumer.schedulePollTask(() -> consumer.seek(P0, 6)); // offset 5 is a transaction marker
        replay.start();

        Result result = replay.replay(List.of(range(0, 6)), received::addAll).get(10, TimeUnit.SECONDS);

        assertThat(result).isEqualTo(new Result(3, 0, 0));
        assertThat(received).extracting(OutboundMessage::offset).containsExactly(0L, 1L, 4L);
        assertThat(received).extracting(OutboundMessage::topic).containsExactly("a/0", "a/1", "a/4");
    }

    @Test
    void overlappingRangesDeliverEachOffsetOnceAndCountSkippedRecords() throws Exception {
        partitionWithOffsets(0, 10);
        consumer.schedulePollTask(() -> {
            for (long offset = 0; offset < 10; offset++) {
                consumer.addRecord(record(offset, offset == 6 ? null : "a/" + offset));
            }
        });
        replay.start();

        Result result = replay.replay(List.of(range(4, 8), range(2, 3), range(5, 7), range(7, 8), range(9, 9)),
                received::addAll).get(10, TimeUnit.SECONDS);

        assertThat(result).isEqualTo(new Result(4, 1, 0));
        assertThat(received).extracting(OutboundMessage::offset).containsExactly(2L, 4L, 5L, 7L);
    }

    @Test
    void rangesOutsideTheLogCountAsMissing() throws Exception {
        partitionWithOffsets(3, 8);
        onNextPoll(3, 4, 5, 6, 7);
        replay.start();

        Result result = replay.replay(List.of(range(0, 5), range(7, 12)), received::addAll).get(10, TimeUnit.SECONDS);

        assertThat(result).isEqualTo(new Result(3, 0, 7));
        assertThat(received).extracting(OutboundMessage::offset).containsExactly(3L, 4L, 7L);
    }

    @Test
    void retentionOvertakingTheReaderCountsWhatItRemoved() throws Exception {
        partitionWithOffsets(0, 10);
        onNextPoll(0, 1, 2);
        consumer.schedulePollTask(() -> {
            consumer.updateBeginningOffsets(Map.of(P0, 6L)); // position 3 is out of range now
            for (long offset = 6; offset < 10; offset++) {
                consumer.addRecord(record(offset, "a/" + offset));
            }
        });
        replay.start();

        Result result = replay.replay(List.of(range(1, 10)), received::addAll).get(10, TimeUnit.SECONDS);

        assertThat(result).isEqualTo(new Result(6, 0, 3));
        assertThat(received).extracting(OutboundMessage::offset).containsExactly(1L, 2L, 6L, 7L, 8L, 9L);
    }

    @Test
    void aFailingListenerFailsOnlyItsOwnRequest() throws Exception {
        partitionWithOffsets(0, 4);
        onNextPoll(0, 1, 2, 3);
        IllegalStateException bug = new IllegalStateException("listener bug");
        CompletableFuture<Result> failing = replay.replay(List.of(range(0, 4)), batch -> {
            throw bug;
        });
        CompletableFuture<Result> fine = replay.replay(List.of(range(0, 4)), received::addAll);
        replay.start();

        assertThat(fine.get(10, TimeUnit.SECONDS)).isEqualTo(new Result(4, 0, 0));
        assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCause(bug);
        assertThat(replay.isRunning()).isTrue();
    }

    @Test
    void aRequestWithNothingToReadCompletesAtOnce() {
        CompletableFuture<Result> future = replay.replay(List.of(range(4, 4)), received::addAll);

        assertThat(future).isCompletedWithValue(new Result(0, 0, 0));
        assertThat(replay.replay(List.of(), received::addAll)).isCompletedWithValue(new Result(0, 0, 0));
    }

    @Test
    void closeBeforeStartFailsWhatIsPendingAndClosesTheConsumer() {
        CompletableFuture<Result> pending = replay.replay(List.of(range(0, 4)), received::addAll);

        replay.close();

        assertThat(pending).isCompletedExceptionally();
        assertThatThrownBy(pending::join).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThat(consumer.closed()).isTrue();
        assertThat(replay.replay(List.of(range(0, 4)), received::addAll)).isCompletedExceptionally();
        assertThatThrownBy(replay::start).isInstanceOf(IllegalStateException.class);
        replay.close();
    }

    @Test
    void closeEndsTheThreadAndClosesTheConsumer() {
        replay.start();
        assertThat(replay.isRunning()).isTrue();
        assertThatThrownBy(replay::start).isInstanceOf(IllegalStateException.class);

        replay.close();

        assertThat(replay.isRunning()).isFalse();
        assertThat(consumer.closed()).isTrue();
    }

    @Test
    void positionsAreReportedNotReset() {
        KafkaSettings settings = new KafkaSettings("h:9092", TopicSettings.defaults(),
                EmbeddedKafkaSettings.defaults(Path.of("unused")), 1 << 20, Map.of(),
                Map.of("auto.offset.reset", "earliest", "client.id", "replay"), Map.of());

        assertThat(KafkaMessageReplay.consumerConfig(settings))
                .containsEntry("auto.offset.reset", "none")
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("client.id", "replay")
                .doesNotContainKey("group.id");
    }
}
