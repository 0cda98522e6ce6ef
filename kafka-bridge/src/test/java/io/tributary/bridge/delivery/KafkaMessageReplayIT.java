package io.tributary.bridge.delivery;

import io.tributary.bridge.EmbeddedKafkaSettings;
import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.TopicSettings;
import io.tributary.bridge.delivery.MessageReplay.Result;
import io.tributary.bridge.mapping.TopicMapper;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.bridge.publish.KafkaMessagePublisher;
import io.tributary.bridge.publish.MessageHeaders;
import io.tributary.bridge.publish.PublishAck;
import io.tributary.bridge.testing.SharedKafka;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class KafkaMessageReplayIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static KafkaSettings settings(Map<String, String> consumer) {
        return new KafkaSettings(SharedKafka.bootstrapServers(), TopicSettings.defaults(),
                EmbeddedKafkaSettings.defaults(Path.of("unused")), 16 << 20, Map.of(), consumer, Map.of());
    }

    private static KafkaMessageReplay replay(String topic) {
        return replay(topic, Map.of());
    }

    private static KafkaMessageReplay replay(String topic, Map<String, String> consumer) {
        KafkaMessageReplay replay = new KafkaMessageReplay(settings(consumer), TopicMapper.defaultOnly(topic), 1);
        replay.start();
        return replay;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, "0"));
        config.putAll(extra);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A record as the publisher writes it: MQTT topic {@code p<partition>/<offset>}, payload the offset. */
    private static ProducerRecord<byte[], byte[]> message(String topic, int partition, long offset) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, null,
                utf8(Long.toString(offset)));
        record.headers().add(MessageHeaders.TOPIC, utf8("p" + partition + "/" + offset));
        record.headers().add(MessageHeaders.QOS, utf8("1"));
        return record;
    }

    /** Writes {@code count} records to each partition of a new topic (offsets 0..count-1). */
    private static void fill(String topic, int partitions, int count) throws Exception {
        SharedKafka.createTopic(topic, partitions);
        try (KafkaProducer<byte[], byte[]> producer = producer(Map.of())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < count; i++) {
                    sent.add(producer.send(message(topic, p, i)));
                }
            }
            for (int k = 0; k < sent.size(); k++) {
                assertThat(sent.get(k).get(30, TimeUnit.SECONDS).offset()).isEqualTo(k % count);
            }
        }
    }

    private static OffsetRange range(String topic, int partition, long from, long to) {
        return new OffsetRange(new PartitionId(topic, partition), from, to);
    }

    private static List<Long> offsets(long from, long to) {
        return LongStream.range(from, to).boxed().toList();
    }

    private static List<Long> offsetsIn(List<OutboundMessage> messages, int partition) {
        return messages.stream().filter(m -> m.partition() == partition).map(OutboundMessage::offset).toList();
    }

    /** Holds the reader in a listener until {@link #release}, so that requests made meanwhile share the next pass. */
    private static final class Blocker {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        final CompletableFuture<Result> done;

        Blocker(MessageReplay replay, String topic) throws Exception {
            fill(topic, 1, 1);
            done = replay.replay(List.of(range(topic, 0, 0, 1)), batch -> {
                entered.countDown();
                try {
                    released.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        }

        void release() throws Exception {
            released.countDown();
            assertThat(done.get(30, TimeUnit.SECONDS).messages()).isEqualTo(1);
        }
    }

    @Test
    void replaysAMiddleRangeAsTheMessagesThatWerePublished() throws Exception {
        String topic = "replay1.messages";
        SharedKafka.createTopic(topic, 2);
        TopicMapper mapper = TopicMapper.defaultOnly(topic);
        MessageProperties properties = new MessageProperties(1, "text/plain", 60L, "re/1", new byte[] {7},
                List.of(Map.entry("k", "v"), Map.entry("k", "w")));
        List<PublishAck> acks = new ArrayList<>();
        try (KafkaMessagePublisher publisher = new KafkaMessagePublisher(settings(Map.of()), mapper)) {
            for (int i = 0; i < 20; i++) {
                acks.add(publisher.publish(new InboundPublish("sensors/1", utf8("m" + i), i % 3, i == 7, "client-1",
                        null, null, properties)).toCompletableFuture().get(30, TimeUnit.SECONDS));
            }
        }
        int partition = acks.get(0).partition();
        assertThat(acks).extracting(PublishAck::partition).containsOnly(partition);
        assertThat(acks).extracting(PublishAck::offset).containsExactlyElementsOf(offsets(0, 20));
        List<OutboundMessage> received = new CopyOnWriteArrayList<>();

        try (KafkaMessageReplay replay = replay(topic)) {
            Result result = replay.replay(List.of(range(topic, partition, 5, 15)), received::addAll)
                    .get(30, TimeUnit.SECONDS);

            assertThat(result).isEqualTo(new Result(10, 0, 0));
        }
        assertThat(received).extracting(OutboundMessage::offset).containsExactlyElementsOf(offsets(5, 15));
        for (OutboundMessage m : received) {
            int i = (int) m.offset();
            assertThat(m.topic()).isEqualTo("sensors/1");
            assertThat(utf8(m.payload())).isEqualTo("m" + i);
            assertThat(m.qos()).isEqualTo(i % 3);
            assertThat(m.retain()).isEqualTo(i == 7);
            assertThat(m.publisherClientId()).isEqualTo("client-1");
            assertThat(m.kafkaTopic()).isEqualTo(topic);
            assertThat(m.partition()).isEqualTo(partition);
            assertThat(m.timestampMs()).isPositive();
            assertThat(m.properties().contentType()).isEqualTo("text/plain");
            assertThat(m.properties().messageExpirySeconds()).isEqualTo(60L);
            assertThat(m.properties().responseTopic()).isEqualTo("re/1");
            assertThat(m.properties().correlationData()).containsExactly(7);
            assertThat(m.properties().userProperties()).containsExactlyElementsOf(properties.userProperties());
        }
    }

    @Test
    void recordsThatAreNotMessagesAreCountedAsSkipped() throws Exception {
        String topic = "replay10.messages";
        fill(topic, 1, 5);
        try (KafkaProducer<byte[], byte[]> producer = producer(Map.of())) {
            producer.send(new ProducerRecord<>(topic, 0, utf8("a/b"), null)).get(30, TimeUnit.SECONDS); // 5
            producer.send(new ProducerRecord<>(topic, 0, null, utf8("no topic"))).get(30, TimeUnit.SECONDS); // 6
            producer.send(message(topic, 0, 7)).get(30, TimeUnit.SECONDS);
        }
        List<OutboundMessage> received = new CopyOnWriteArrayList<>();
        try (KafkaMessageReplay replay = replay(topic)) {
            Result result = replay.replay(List.of(range(topic, 0, 3, 8)), received::addAll).get(30, TimeUnit.SECONDS);

            assertThat(result).isEqualTo(new Result(3, 2, 0));
        }
        assertThat(received).extracting(OutboundMessage::offset).containsExactly(3L, 4L, 7L);
    }

    @Test
    void requestsOfOnePassOverSeveralPartitionsGetExactlyTheirRecords() throws Exception {
        String topic = "replay2.messages";
        fill(topic, 3, 100);
        List<OutboundMessage> a = new CopyOnWriteArrayList<>();
        List<OutboundMessage> b = new CopyOnWriteArrayList<>();
        AtomicInteger batchesOfB = new AtomicInteger();

        try (KafkaMessageReplay replay = replay(topic, Map.of("max.poll.records", "50"))) {
            Blocker blocker = new Blocker(replay, "replay2.blocker");
            CompletableFuture<Result> ofA = replay.replay(List.of(range(topic, 0, 10, 60), range(topic, 1, 0, 30),
                    range(topic, 2, 90, 100)), a::addAll);
            CompletableFuture<Result> ofB = replay.replay(List.of(range(topic, 2, 20, 30), range(topic, 0, 40, 80),
                    range(topic, 1, 50, 51), range(topic, 2, 0, 100)), batch -> {
                        batchesOfB.incrementAndGet();
                        b.addAll(batch);
                    });
            blocker.release();

            assertThat(ofA.get(30, TimeUnit.SECONDS)).isEqualTo(new Result(90, 0, 0));
            assertThat(ofB.get(30, TimeUnit.SECONDS)).isEqualTo(new Result(141, 0, 0));
        }
        assertThat(offsetsIn(a, 0)).containsExactlyElementsOf(offsets(10, 60));
        assertThat(offsetsIn(a, 1)).containsExactlyElementsOf(offsets(0, 30));
        assertThat(offsetsIn(a, 2)).containsExactlyElementsOf(offsets(90, 100));
        assertThat(offsetsIn(b, 0)).containsExactlyElementsOf(offsets(40, 80));
        assertThat(offsetsIn(b, 1)).containsExactly(50L);
        assertThat(offsetsIn(b, 2)).containsExactlyElementsOf(offsets(0, 100));
        assertThat(a).allSatisfy(m -> assertThat(m.topic()).isEqualTo("p" + m.partition() + "/" + m.offset()));
        assertThat(batchesOfB.get()).as("one batch per poll, at most max.poll.records each").isGreaterThan(2);
    }

    @Test
    void singleOffsetsOfInFlightMessagesAndACatchUpRangeInOneRequest() throws Exception {
        String topic = "replay3.messages";
        fill(topic, 2, 30);
        List<OutboundMessage> received = new CopyOnWriteArrayList<>();

        try (KafkaMessageReplay replay = replay(topic)) {
            Result result = replay.replay(List.of(range(topic, 0, 25, 26), range(topic, 0, 3, 4),
                    range(topic, 0, 7, 8), range(topic, 0, 5, 12), range(topic, 0, 7, 8), range(topic, 0, 9, 9),
                    range(topic, 1, 2, 3), range(topic, 1, 28, 30)), received::addAll).get(30, TimeUnit.SECONDS);

            assertThat(result).isEqualTo(new Result(12, 0, 0));
        }
        assertThat(offsetsIn(received, 0)).containsExactly(3L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 25L);
        assertThat(offsetsIn(received, 1)).containsExactly(2L, 28L, 29L);
    }

    @Test
    void distantRangesOfOnePartitionAreBothServed() throws Exception {
        String topic = "replay11.messages";
        fill(topic, 1, 3 * (int) KafkaMessageReplay.SEEK_GAP);
        long far = 3 * KafkaMessageReplay.SEEK_GAP - 3;
        List<OutboundMessage> early = new CopyOnWriteArrayList<>();
        List<OutboundMessage> late = new CopyOnWriteArrayList<>();

        try (KafkaMessageReplay replay = replay(topic)) {
            Blocker blocker = new Blocker(replay, "replay11.blocker");
            CompletableFuture<Result> ofEarly = replay.replay(List.of(range(topic, 0, 2, 4),
                    range(topic, 0, far, far + 1)), early::addAll);
            CompletableFuture<Result> ofLate = replay.replay(List.of(range(topic, 0, far - 1, far + 3)), late::addAll);
            blocker.release();

            assertThat(ofEarly.get(30, TimeUnit.SECONDS)).isEqualTo(new Result(3, 0, 0));
            assertThat(ofLate.get(30, TimeUnit.SECONDS)).isEqualTo(new Result(4, 0, 0));
            assertThat(replay.recordsRead()).as("the stretch between is skipped")
                    .isLessThan(2 * KafkaMessageReplay.SEEK_GAP);
        }
        assertThat(early).extracting(OutboundMessage::offset).containsExactly(2L, 3L, far);
        assertThat(late).extracting(OutboundMessage::offset).containsExactlyElementsOf(offsets(far - 1, far + 3));
    }

    @Test
    void whatRetentionDeletedCountsAsMissingAndTheRestIsDelivered() throws Exception {
        String topic = "replay4.messages";
        fill(topic, 1, 20);
        SharedKafka.admin().deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(8)))
                .all().get(30, TimeUnit.SECONDS);
        List<OutboundMessage> partly = new CopyOnWriteArrayList<>();
        List<OutboundMessage> gone = new CopyOnWriteArrayList<>();

        try (KafkaMessageReplay replay = replay(topic)) {
            CompletableFuture<Result> ofPartly = replay.replay(List.of(range(topic, 0, 2, 15)), partly::addAll);
            CompletableFuture<Result> ofGone = replay.replay(List.of(range(topic, 0, 0, 5)), gone::addAll);

            assertThat(ofPartly.get(30, TimeUnit.SECONDS)).isEqualTo(new Result(7, 0, 6));
            assertThat(ofGone.get(30, TimeUnit.SECONDS)).isEqualTo(new Result(0, 0, 5));
        }
        assertThat(partly).extracting(OutboundMessage::offset).containsExactlyElementsOf(offsets(8, 15));
        assertThat(gone).isEmpty();
    }

    @Test
    void cancellingARequestStopsItsListenerAndTheReaderGoesOn() throws Exception {
        String topic = "replay5.messages";
        fill(topic, 1, 200);
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);

        try (KafkaMessageReplay replay = replay(topic, Map.of("max.poll.records", "10"))) {
            CompletableFuture<Result> future = replay.replay(List.of(range(topic, 0, 0, 200)), batch -> {
                calls.incrementAndGet();
                entered.countDown();
                try {
                    cancelled.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(future.cancel(true)).isTrue();
            cancelled.countDown();

            // served in a later pass: the cancelled request's pass has ended
            Result next = replay.replay(List.of(range(topic, 0, 0, 5)), batch -> { }).get(30, TimeUnit.SECONDS);
            assertThat(next.messages()).isEqualTo(5);
            assertThat(calls.get()).isEqualTo(1);
            assertThat(future).isCancelled();
        }
    }

    @Test
    void closeFailsRunningAndPendingRequests() throws Exception {
        String topic = "replay6.messages";
        fill(topic, 1, 100);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        KafkaMessageReplay replay = replay(topic, Map.of("max.poll.records", "10"));

        CompletableFuture<Result> running = replay.replay(List.of(range(topic, 0, 0, 100)), batch -> {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Result> pending = replay.replay(List.of(range(topic, 0, 0, 10)), batch -> { });
        CompletableFuture<Void> closed = CompletableFuture.runAsync(replay::close);

        await().atMost(TIMEOUT).until(pending::isDone); // at once, though the reader is busy
        release.countDown();
        closed.get(30, TimeUnit.SECONDS);

        Predicate<Throwable> isClosed = e -> e instanceof IllegalStateException && e.getMessage().contains("closed");
        for (CompletableFuture<Result> future : List.of(running, pending)) {
            assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().matches(isClosed);
        }
        assertThat(replay.isRunning()).isFalse();
        assertThat(replay.replay(List.of(range(topic, 0, 0, 1)), batch -> { })).isCompletedExceptionally();
        replay.close();
    }

    @Test
    void aTopicThatDoesNotExistFailsOnlyTheRequestsReadingIt() throws Exception {
        String topic = "replay7.messages";
        fill(topic, 2, 10);
        List<OutboundMessage> received = new CopyOnWriteArrayList<>();

        try (KafkaMessageReplay replay = replay(topic)) {
            Blocker blocker = new Blocker(replay, "replay7.blocker");
            CompletableFuture<Result> noTopic = replay.replay(List.of(range(topic, 0, 0, 10),
                    range("replay7.does-not-exist", 0, 0, 10)), batch -> { });
            CompletableFuture<Result> noPartition = replay.replay(List.of(range(topic, 5, 0, 10)), batch -> { });
            CompletableFuture<Result> valid = replay.replay(List.of(range(topic, 0, 0, 10), range(topic, 1, 3, 6)),
                    received::addAll);
            blocker.release();

            assertThat(valid.get(30, TimeUnit.SECONDS)).isEqualTo(new Result(13, 0, 0));
            assertThatThrownBy(() -> noTopic.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("replay7.does-not-exist-0")
                    .hasMessageContaining("does not exist");
            assertThatThrownBy(() -> noPartition.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("replay7.messages-5");
            assertThat(replay.isRunning()).isTrue();
        }
        assertThat(offsetsIn(received, 0)).containsExactlyElementsOf(offsets(0, 10));
        assertThat(offsetsIn(received, 1)).containsExactly(3L, 4L, 5L);
    }

    @Test
    void aTopicDeletedWhileItIsReadFailsItsRequest() throws Exception {
        String topic = "replay9.messages";
        SharedKafka.createTopic(topic, 1);
        try (KafkaProducer<byte[], byte[]> producer = producer(Map.of())) {
            for (int i = 0; i < 50; i++) {
                producer.send(message(topic, 0, i)).get(30, TimeUnit.SECONDS); // a batch each
            }
        }
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);

        // one record per fetch: most of the range is still in Kafka when the topic goes
        try (KafkaMessageReplay replay = replay(topic, Map.of("max.poll.records", "1",
                "max.partition.fetch.bytes", "1"))) {
            CompletableFuture<Result> future = replay.replay(List.of(range(topic, 0, 0, 50)), batch -> {
                entered.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
            SharedKafka.admin().deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            await().atMost(TIMEOUT).until(() -> !SharedKafka.admin().listTopics().names().get().contains(topic));
            release.countDown();

            assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(topic + "-0");
            assertThat(replay.isRunning()).isTrue();
        }
    }

    @Test
    void anAbortedTransactionInTheRangeDoesNotHoldTheReplay() throws Exception {
        String topic = "replay8.messages";
        SharedKafka.createTopic(topic, 1);
        List<Long> committed = new ArrayList<>();
        List<Long> aborted = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "replay8-tx"))) {
            producer.initTransactions();
            for (int tx = 0; tx < 3; tx++) {
                producer.beginTransaction();
                for (int i = 0; i < 5; i++) {
                    long offset = producer.send(message(topic, 0, 100 * tx + i)).get(30, TimeUnit.SECONDS).offset();
                    (tx == 1 ? aborted : committed).add(offset);
                }
                if (tx == 1) {
                    producer.abortTransaction();
                } else {
                    producer.commitTransaction();
                }
            }
        }
        long end = committed.get(committed.size() - 1) + 2; // after the last commit marker
        List<OutboundMessage> all = new CopyOnWriteArrayList<>();

        try (KafkaMessageReplay replay = replay(topic)) {
            CompletableFuture<Result> ofAll = replay.replay(List.of(range(topic, 0, 0, end)), all::addAll);
            CompletableFuture<Result> ofAborted = replay.replay(List.of(range(topic, 0, aborted.get(0),
                    aborted.get(4) + 1)), batch -> { });
            CompletableFuture<Result> ofAbortedAndMarker = replay.replay(List.of(range(topic, 0, aborted.get(2),
                    aborted.get(4) + 2)), batch -> { });

            assertThat(ofAll.get(30, TimeUnit.SECONDS)).isEqualTo(new Result(10, 0, 0));
            assertThat(ofAborted.get(30, TimeUnit.SECONDS)).isEqualTo(new Result(0, 0, 0));
            assertThat(ofAbortedAndMarker.get(30, TimeUnit.SECONDS)).isEqualTo(new Result(0, 0, 0));
        }
        assertThat(all).extracting(OutboundMessage::offset).containsExactlyElementsOf(committed);
    }
}
