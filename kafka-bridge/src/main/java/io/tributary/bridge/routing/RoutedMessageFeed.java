package io.tributary.bridge.routing;

import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.delivery.FeedListener;
import io.tributary.bridge.delivery.KafkaMessageFeed;
import io.tributary.bridge.delivery.MessageFeed;
import io.tributary.bridge.delivery.MessageRecords;
import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.delivery.PartitionId;
import io.tributary.bridge.kafka.PollingReader;
import io.tributary.bridge.mapping.TopicMapper;
import io.tributary.bridge.publish.MessageHeaders;
import io.tributary.schemas.RoutingCodecs;
import io.tributary.schemas.routing.RouteWatermark;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MessageFeed} of routed mode: instead of every message topic, this node reads only its partition of the
 * deliveries topic, where the fan-out app writes each message once for every node with a matching subscriber.
 *
 * <p><b>Positions.</b> A delivery says where its message is in its message topic ({@code mqtt.source.*}); a
 * watermark of a fan-out task says up to where it has routed each message partition it reads. Both arrive in
 * order, so after each poll this node knows, per message partition, the offset below which everything routed to
 * it has been read: the positions it hands the listener, as broadcast mode does with its own positions. A delivery
 * below the position already reached is one the app routed twice (it reprocessed after a failure) and is
 * dropped.
 *
 * <p><b>Applied subscriptions.</b> Watermarks also say which subscriptions-topic offsets the task had applied when
 * it wrote them. {@link #applied} completes once every task has applied a given update: from then on, every
 * message is routed with it.
 */
public final class RoutedMessageFeed implements MessageFeed {

    private static final Logger LOG = LoggerFactory.getLogger(RoutedMessageFeed.class);

    public static final String THREAD_NAME = "tributary-routed-feed";
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private final PollingReader<byte[], byte[]> reader;
    private final MessageRecords records;
    private final TopicMapper mapper;
    private final String deliveriesTopic;
    private final String nodeId;
    private final AtomicLong duplicatesDropped = new AtomicLong();
    /** Per message partition: everything routed to this node below it has been read (feed thread). */
    private final Map<PartitionId, Long> positions = new HashMap<>();
    /**
     * Partitions whose position is still the end offset this node found at start, not yet confirmed by the app:
     * the first watermark or delivery replaces it, lower or not.
     */
    private final java.util.Set<PartitionId> estimated = new java.util.HashSet<>();
    /** Per fan-out task (its message-topic partition number): subscriptions partition -> offset applied. */
    private final Map<Integer, Map<Integer, Long>> appliedByTask = new HashMap<>();
    private final ConcurrentLinkedQueue<Gate> gates = new ConcurrentLinkedQueue<>();
    private int tasks;

    private record Gate(int partition, long offset, CompletableFuture<Void> done) {
    }

    /**
     * @param settings         bootstrap servers and {@code kafka.consumer.*}
     * @param mapper           the message topics (whose partitions the fan-out tasks read) and the mapping rules
     * @param defaultQos       QoS of records of other Kafka producers
     * @param deliveriesTopic  the topic the fan-out app writes
     * @param nodeId           this node: it reads partition {@link Routing#partitionOf} of the deliveries topic
     */
    public RoutedMessageFeed(KafkaSettings settings, TopicMapper mapper, int defaultQos, String deliveriesTopic,
                             String nodeId) {
        this(new KafkaConsumer<>(KafkaMessageFeed.consumerConfig(settings), new ByteArrayDeserializer(),
                new ByteArrayDeserializer()), mapper, defaultQos, deliveriesTopic, nodeId);
    }

    /** Over a given consumer (tests pass a {@code MockConsumer}); the feed closes it. */
    RoutedMessageFeed(Consumer<byte[], byte[]> consumer, TopicMapper mapper, int defaultQos, String deliveriesTopic,
                      String nodeId) {
        this.records = new MessageRecords(mapper, defaultQos);
        this.mapper = mapper;
        this.deliveriesTopic = Objects.requireNonNull(deliveriesTopic, "deliveriesTopic");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.reader = new PollingReader<>(consumer, THREAD_NAME, POLL_TIMEOUT);
    }

    /**
     * Reads this node's deliveries partition from its end. The positions it returns are the ends of the message
     * partitions: the fan-out app's watermarks replace them as they arrive.
     */
    @Override
    public Map<PartitionId, Long> start(FeedListener listener) {
        Objects.requireNonNull(listener, "listener");
        Consumer<byte[], byte[]> consumer = reader.consumer();
        try {
            List<TopicPartition> messagePartitions = new ArrayList<>();
            for (String topic : mapper.kafkaTopics()) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, KafkaMessageFeed.START_TIMEOUT);
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalStateException("Kafka topic '" + topic + "' does not exist");
                }
                infos.forEach(info -> messagePartitions.add(new TopicPartition(topic, info.partition())));
                tasks = Math.max(tasks, infos.size()); // one fan-out task per partition number
            }
            consumer.endOffsets(messagePartitions, KafkaMessageFeed.START_TIMEOUT).forEach((partition, end) -> {
                PartitionId id = new PartitionId(partition.topic(), partition.partition());
                positions.put(id, end);
                estimated.add(id);
            });
            List<PartitionInfo> deliveries = consumer.partitionsFor(deliveriesTopic, KafkaMessageFeed.START_TIMEOUT);
            if (deliveries == null || deliveries.isEmpty()) {
                throw new IllegalStateException("Kafka topic '" + deliveriesTopic + "' does not exist");
            }
            TopicPartition mine = new TopicPartition(deliveriesTopic, Routing.partitionOf(nodeId, deliveries.size()));
            consumer.assign(List.of(mine));
            consumer.seekToEnd(List.of(mine));
            consumer.position(mine, KafkaMessageFeed.START_TIMEOUT);
            LOG.info("Routed mode: reading partition {} of '{}' for node '{}'", mine.partition(), deliveriesTopic,
                    nodeId);
        } catch (RuntimeException e) {
            reader.close();
            throw e instanceof IllegalStateException ? e
                    : new IllegalStateException("cannot start reading '" + deliveriesTopic + "': " + e, e);
        }
        Map<PartitionId, Long> start = Map.copyOf(positions);
        reader.start(polled -> onPoll(polled, listener));
        return start;
    }

    /**
     * Completes once every fan-out task has applied the subscriptions-topic record at {@code offset} of
     * {@code partition} (or a later one), as the watermarks this node has read say.
     */
    public CompletionStage<Void> applied(int partition, long offset) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        gates.add(new Gate(partition, offset, done));
        return done;
    }

    private void onPoll(ConsumerRecords<byte[], byte[]> polled, FeedListener listener) {
        List<OutboundMessage> batch = new ArrayList<>(polled.count());
        for (ConsumerRecord<byte[], byte[]> record : polled) {
            try {
                OutboundMessage message = read(record);
                if (message != null) {
                    batch.add(message);
                }
            } catch (RuntimeException e) {
                LOG.error("Cannot read the record at {}-{}@{}; skipping it", record.topic(), record.partition(),
                        record.offset(), e);
            }
        }
        if (!polled.isEmpty()) {
            listener.onBatch(batch, Map.copyOf(positions));
        }
        openGates(); // after the batch: the listener's newest positions include the watermarks
    }

    /** A delivery as a message, or null for a watermark or a duplicate. */
    private OutboundMessage read(ConsumerRecord<byte[], byte[]> record) {
        Header control = record.headers().lastHeader(Routing.CONTROL_HEADER);
        if (control != null) {
            if (Routing.WATERMARK.equals(new String(control.value(), StandardCharsets.UTF_8))) {
                watermark(RoutingCodecs.ROUTE_WATERMARK.decode(record.value()));
            }
            return null;
        }
        PartitionId source = source(record);
        if (source == null) {
            return null;
        }
        long offset = Long.parseLong(utf8(record.headers().lastHeader(MessageHeaders.SOURCE_OFFSET)));
        Long reached = estimated.contains(source) ? null : positions.get(source);
        if (reached != null && offset < reached) {
            duplicatesDropped.incrementAndGet();
            return null;
        }
        advance(source, offset + 1);
        OutboundMessage read = records.toMessage(record);
        return read == null ? null : new OutboundMessage(read.topic(), read.payload(), read.qos(), read.retain(),
                read.publisherClientId(), read.properties(), read.timestampMs(), source.topic(), source.partition(),
                offset);
    }

    private void watermark(RouteWatermark watermark) {
        for (var source : watermark.getSources()) {
            advance(new PartitionId(source.getTopic(), source.getPartition()), source.getNextOffset());
        }
        Map<Integer, Long> applied = appliedByTask.computeIfAbsent(watermark.getTaskPartition(), t -> new HashMap<>());
        for (var entry : watermark.getSubscriptionsApplied()) {
            applied.merge(entry.getPartition(), entry.getOffset(), Math::max);
        }
    }

    private void advance(PartitionId partition, long next) {
        if (estimated.remove(partition)) {
            positions.put(partition, next);
        } else {
            positions.merge(partition, next, Math::max);
        }
    }

    private void openGates() {
        for (Iterator<Gate> it = gates.iterator(); it.hasNext(); ) {
            Gate gate = it.next();
            if (appliedEverywhere(gate.partition, gate.offset)) {
                it.remove();
                gate.done.complete(null);
            }
        }
    }

    private boolean appliedEverywhere(int partition, long offset) {
        for (int task = 0; task < tasks; task++) {
            Map<Integer, Long> applied = appliedByTask.get(task);
            Long done = applied == null ? null : applied.get(partition);
            if (done == null || done < offset) {
                return false;
            }
        }
        return true;
    }

    private static PartitionId source(ConsumerRecord<byte[], byte[]> record) {
        Header topic = record.headers().lastHeader(MessageHeaders.SOURCE_TOPIC);
        Header partition = record.headers().lastHeader(MessageHeaders.SOURCE_PARTITION);
        if (topic == null || partition == null || record.headers().lastHeader(MessageHeaders.SOURCE_OFFSET) == null) {
            return null;
        }
        return new PartitionId(utf8(topic), Integer.parseInt(utf8(partition)));
    }

    private static String utf8(Header header) {
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Records read from the deliveries topic, watermarks included. */
    @Override
    public long recordsRead() {
        return reader.recordsRead();
    }

    @Override
    public long bytesRead() {
        return reader.bytesRead();
    }

    /** Deliveries the app routed twice (after it reprocessed), dropped here. */
    public long duplicatesDropped() {
        return duplicatesDropped.get();
    }

    /** Stops reading; updates still waiting to be applied fail. Idempotent. */
    @Override
    public void close() {
        reader.close();
        gates.forEach(gate -> gate.done.completeExceptionally(new IllegalStateException("routed feed closed")));
        gates.clear();
    }
}
