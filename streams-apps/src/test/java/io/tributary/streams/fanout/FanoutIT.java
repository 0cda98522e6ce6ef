package io.tributary.streams.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.bridge.admin.TopicAdministrator;
import io.tributary.bridge.publish.MessageHeaders;
import io.tributary.bridge.testing.SharedKafka;
import io.tributary.schemas.RoutingCodecs;
import io.tributary.schemas.routing.AppliedOffset;
import io.tributary.schemas.routing.ClientSubscriptions;
import io.tributary.schemas.routing.RouteWatermark;
import io.tributary.streams.AppTopics;
import io.tributary.streams.StreamsRunner;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The fan-out app on Kafka, run by {@link StreamsRunner}: subscriptions written to the subscriptions topic, messages
 * to the message topic, deliveries and watermarks read from the partitions of the deliveries topic, as a node reads
 * them. A watermark covering a message in every partition says that all its deliveries are there, so the tests check
 * that nothing more came without waiting for nothing.
 */
class FanoutIT {

    private static final int MESSAGE_PARTITIONS = 3;
    private static final int SUBSCRIPTION_PARTITIONS = 2;
    private static final int DELIVERY_PARTITIONS = 4;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path stateDir;

    private String messages;
    private String subscriptions;
    private String deliveries;
    private FanoutSettings settings;
    /** Three node ids on three different partitions of the deliveries topic. */
    private String nodeA;
    private String nodeB;
    private String nodeC;
    private KafkaProducer<byte[], byte[]> producer;
    private DeliveriesReader reader;
    private StreamsRunner app;

    @BeforeEach
    void topics() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        messages = "fanout-it-messages-" + id;
        subscriptions = "fanout-it-subscriptions-" + id;
        deliveries = "fanout-it-deliveries-" + id;
        SharedKafka.createTopic(messages, MESSAGE_PARTITIONS);
        SharedKafka.admin().createTopics(List.of(
                        AppTopics.topic(subscriptions, SUBSCRIPTION_PARTITIONS, (short) 1, true),
                        AppTopics.topic(deliveries, DELIVERY_PARTITIONS, (short) 1, false)))
                .all().get(30, TimeUnit.SECONDS);
        TopicAdministrator.awaitWritable(SharedKafka.admin(), List.of(subscriptions, deliveries),
                System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        settings = new FanoutSettings(List.of(messages), subscriptions, deliveries, List.of(), 1,
                Duration.ofMillis(50), Duration.ofMillis(500));

        List<String> nodes = new ArrayList<>();
        Set<Integer> partitions = new HashSet<>();
        for (int i = 0; nodes.size() < 3; i++) {
            if (partitions.add(FanoutTopology.partitionOf("node-" + i, DELIVERY_PARTITIONS))) {
                nodes.add("node-" + i);
            }
        }
        nodeA = nodes.get(0);
        nodeB = nodes.get(1);
        nodeC = nodes.get(2);

        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
        reader = new DeliveriesReader();
    }

    @AfterEach
    void close() {
        if (app != null) {
            app.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (reader != null) {
            reader.close();
        }
    }

    @Test
    void eachMessageReachesThePartitionOfEveryNodeWithAMatchingClientOnceAndWatermarksReachEveryPartition()
            throws Exception {
        app = start();
        RecordMetadata s1 = subscribe("c1", nodeA, 1, "home/+/temp");
        RecordMetadata s2 = subscribe("c2", nodeB, 1, "home/#");
        RecordMetadata s3 = subscribe("c3", nodeB, 1, "home/kitchen/temp");
        RecordMetadata s4 = subscribe("c4", null, 1, "#");
        reader.awaitApplied(s1, s2, s3, s4);

        RecordMetadata kitchen = publish("home/kitchen/temp", "21.5");
        RecordMetadata garden = publish("home/garden", "dry");
        RecordMetadata office = publish("office/desk", "nobody");
        reader.awaitCovered(kitchen, garden, office);

        assertThat(reader.deliveriesFor(kitchen)).extracting(ConsumerRecord::partition, FanoutIT::key)
                .containsExactlyInAnyOrder(tuple(nodeA), tuple(nodeB));
        assertThat(reader.deliveriesFor(garden)).extracting(ConsumerRecord::partition, FanoutIT::key)
                .containsExactly(tuple(nodeB));
        assertThat(reader.deliveriesFor(office)).isEmpty();
        assertThat(reader.deliveries()).hasSize(3);

        ConsumerRecord<byte[], byte[]> toA = reader.deliveriesFor(kitchen).stream()
                .filter(r -> key(r).equals(nodeA)).findFirst().orElseThrow();
        assertThat(str(toA.value())).isEqualTo("21.5");
        assertThat(header(toA, MessageHeaders.TOPIC)).isEqualTo("home/kitchen/temp");
        assertThat(header(toA, MessageHeaders.SOURCE_TOPIC)).isEqualTo(messages);
        assertThat(header(toA, MessageHeaders.SOURCE_PARTITION)).isEqualTo(Integer.toString(kitchen.partition()));
        assertThat(header(toA, MessageHeaders.SOURCE_OFFSET)).isEqualTo(Long.toString(kitchen.offset()));
        assertThat(toA.timestamp()).isEqualTo(kitchen.timestamp());

        // every task writes its watermarks to every partition
        for (int partition = 0; partition < DELIVERY_PARTITIONS; partition++) {
            assertThat(reader.watermarks(partition)).extracting(RouteWatermark::getTaskPartition)
                    .as("tasks with watermarks in partition %d", partition)
                    .containsAll(IntStream.range(0, MESSAGE_PARTITIONS).boxed().toList());
        }
    }

    @Test
    void afterARestartTheAppRoutesWithTheSubscriptionsOfItsStoreAndThoseWrittenMeanwhile() throws Exception {
        app = start();
        RecordMetadata s1 = subscribe("c1", nodeA, 5, "a/#");
        reader.awaitApplied(s1);
        RecordMetadata before = publish("a/1", "before");
        reader.awaitCovered(before);
        assertThat(reader.deliveriesFor(before)).extracting(FanoutIT::key).containsExactly(nodeA);
        app.close();
        app = null;
        // c1 is now in the persistent global store together with the offset it was restored to (Kafka 4.4 keeps
        // the offsets in RocksDB, no .checkpoint file): after the restart its record is not read from Kafka again

        RecordMetadata s2 = subscribe("c2", nodeB, 1, "a/#");
        RecordMetadata stale = subscribe("c1", nodeC, 4, "a/#"); // a late write of c1's old connection
        Instant restart = Instant.now();
        app = start();

        // its first watermarks know all of it: the global store is restored before any message is routed
        RouteWatermark first = reader.awaitWatermark(w -> !w.getEmittedAt().isBefore(restart));
        assertThat(appliedCovers(first, s1, s2, stale)).as("applied %s", first.getSubscriptionsApplied()).isTrue();

        RecordMetadata after = publish("a/2", "after");
        reader.awaitCovered(after);
        assertThat(reader.deliveriesFor(after)).extracting(ConsumerRecord::partition, FanoutIT::key)
                .containsExactlyInAnyOrder(tuple(nodeA), tuple(nodeB));
    }

    // ---- helpers

    private StreamsRunner start() {
        return StreamsRunner.start(FanoutTopology.applicationId(deliveries), FanoutTopology.build(settings),
                Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()), stateDir, WAIT);
    }

    private RecordMetadata subscribe(String clientId, String nodeId, long epoch, String... filters)
            throws Exception {
        byte[] value = RoutingCodecs.CLIENT_SUBSCRIPTIONS.encode(
                new ClientSubscriptions(clientId, nodeId, epoch, Arrays.asList(filters)));
        return producer.send(new ProducerRecord<>(subscriptions, utf8(clientId), value)).get(30, TimeUnit.SECONDS);
    }

    private RecordMetadata publish(String topic, String payload) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add(MessageHeaders.TOPIC, utf8(topic));
        headers.add(MessageHeaders.QOS, utf8("1"));
        return producer.send(new ProducerRecord<>(messages, null, utf8(topic), utf8(payload), headers))
                .get(30, TimeUnit.SECONDS);
    }

    /** (deliveries partition, key) of a delivery to {@code node}. */
    private static org.assertj.core.groups.Tuple tuple(String node) {
        return org.assertj.core.groups.Tuple.tuple(FanoutTopology.partitionOf(node, DELIVERY_PARTITIONS), node);
    }

    private static boolean appliedCovers(RouteWatermark watermark, RecordMetadata... writes) {
        Map<Integer, Long> applied = watermark.getSubscriptionsApplied().stream()
                .collect(Collectors.toMap(AppliedOffset::getPartition, AppliedOffset::getOffset));
        for (RecordMetadata write : writes) {
            Long offset = applied.get(write.partition());
            if (offset == null || offset < write.offset()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isWatermark(ConsumerRecord<byte[], byte[]> record) {
        return Arrays.equals(record.key(), utf8(FanoutTopology.WATERMARK_KEY));
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return str(record.key());
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : str(header.value());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Reads every partition of the deliveries topic from the beginning, as the nodes together would. */
    private final class DeliveriesReader implements AutoCloseable {

        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

        DeliveriesReader() {
            consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = IntStream.range(0, DELIVERY_PARTITIONS)
                    .mapToObj(p -> new TopicPartition(deliveries, p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        private void poll() {
            consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        }

        /** Waits for a watermark whose subscriptionsApplied covers {@code writes}. */
        void awaitApplied(RecordMetadata... writes) {
            awaitWatermark(w -> appliedCovers(w, writes));
        }

        /** Waits for a watermark matching {@code condition} (in any partition) and returns the first. */
        RouteWatermark awaitWatermark(java.util.function.Predicate<RouteWatermark> condition) {
            RouteWatermark[] found = new RouteWatermark[1];
            Awaitility.await().atMost(WAIT).pollInSameThread().pollInterval(Duration.ZERO).until(() -> {
                poll();
                for (int partition = 0; partition < DELIVERY_PARTITIONS; partition++) {
                    for (RouteWatermark watermark : watermarks(partition)) {
                        if (condition.test(watermark)) {
                            found[0] = watermark;
                            return true;
                        }
                    }
                }
                return false;
            });
            return found[0];
        }

        /**
         * Waits until every partition holds, for each of {@code messageRecords}, a watermark of the task that routed it
         * saying it was processed: all its deliveries are before that watermark, so they have all been read.
         */
        void awaitCovered(RecordMetadata... messageRecords) {
            Awaitility.await().atMost(WAIT).pollInSameThread().pollInterval(Duration.ZERO).until(() -> {
                poll();
                for (int partition = 0; partition < DELIVERY_PARTITIONS; partition++) {
                    List<RouteWatermark> watermarks = watermarks(partition);
                    for (RecordMetadata message : messageRecords) {
                        boolean covered = watermarks.stream().anyMatch(w -> w.getSources().stream().anyMatch(s ->
                                s.getTopic().equals(message.topic()) && s.getPartition() == message.partition()
                                        && s.getNextOffset() > message.offset()));
                        if (!covered) {
                            return false;
                        }
                    }
                }
                return true;
            });
        }

        List<ConsumerRecord<byte[], byte[]>> deliveries() {
            return records.stream().filter(r -> !isWatermark(r)).toList();
        }

        List<ConsumerRecord<byte[], byte[]>> deliveriesFor(RecordMetadata message) {
            return deliveries().stream()
                    .filter(r -> message.topic().equals(header(r, MessageHeaders.SOURCE_TOPIC))
                            && Integer.toString(message.partition()).equals(header(r, MessageHeaders.SOURCE_PARTITION))
                            && Long.toString(message.offset()).equals(header(r, MessageHeaders.SOURCE_OFFSET)))
                    .toList();
        }

        List<RouteWatermark> watermarks(int partition) {
            List<RouteWatermark> watermarks = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (record.partition() == partition && isWatermark(record)) {
                    assertThat(header(record, FanoutTopology.CONTROL_HEADER)).isEqualTo(FanoutTopology.CONTROL_WATERMARK);
                    watermarks.add(RoutingCodecs.ROUTE_WATERMARK.decode(record.value()));
                }
            }
            return watermarks;
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
