package io.tributary.bridge.delivery;

import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.kafka.PollingReader;
import io.tributary.bridge.mapping.TopicMapper;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link MessageFeed} over one {@link KafkaConsumer} on a daemon thread {@value #THREAD_NAME}: every partition of
 * every topic of the {@link TopicMapper} is assigned (no consumer group, nothing committed) and read from the end
 * as it was when {@link #start} returned. Each poll's records become one batch of {@link OutboundMessage}s
 * ({@link MessageRecords}), in poll order, which keeps the order of each partition.
 *
 * <p>If Kafka cannot be reached the consumer keeps retrying with its reconnect back-off; an error a poll reports
 * is logged and the poll retried after a pause, so the thread never spins.
 */
public final class KafkaMessageFeed implements MessageFeed {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaMessageFeed.class);

    public static final String THREAD_NAME = "tributary-feed";
    /** How long {@link #start} waits for the partitions and end offsets of each topic. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private final Consumer<byte[], byte[]> consumer;
    private final PollingReader<byte[], byte[]> reader;
    private final TopicMapper mapper;
    private final MessageRecords records;
    private final AtomicLong messagesDelivered = new AtomicLong();
    private final AtomicLong recordsSkipped = new AtomicLong();
    /** The next offset to read in every partition: the start, then advanced by each poll (reader thread). */
    private final Map<PartitionId, Long> positions = new HashMap<>();
    private final Object lifecycle = new Object();
    private boolean started; // guarded by lifecycle
    private boolean closed; // guarded by lifecycle

    /**
     * Creates the consumer (it connects only in {@link #start}).
     *
     * @param settings    needs the bootstrap servers ({@link KafkaSettings#withBootstrapServers} for the embedded
     *                    broker); {@code kafka.consumer.*} override the defaults of {@link #consumerConfig}
     * @param mapper      the topics to read, and the MQTT topic templates of records of other producers
     * @param defaultQos  QoS of records of other Kafka producers (no {@code mqtt.qos} header)
     */
    public KafkaMessageFeed(KafkaSettings settings, TopicMapper mapper, int defaultQos) {
        // the rules are checked before a consumer exists that would have to be closed
        this(new MessageRecords(mapper, defaultQos), mapper, consumerConfig(settings));
    }

    private KafkaMessageFeed(MessageRecords records, TopicMapper mapper, Map<String, Object> config) {
        this(new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()), mapper, records);
    }

    /** Over a given consumer (tests may pass a {@code MockConsumer}); the feed closes it. */
    public KafkaMessageFeed(Consumer<byte[], byte[]> consumer, TopicMapper mapper, int defaultQos) {
        this(consumer, mapper, new MessageRecords(mapper, defaultQos));
    }

    private KafkaMessageFeed(Consumer<byte[], byte[]> consumer, TopicMapper mapper, MessageRecords records) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.reader = new PollingReader<>(consumer, THREAD_NAME, POLL_TIMEOUT);
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.records = records;
    }

    /**
     * Our consumer defaults, then {@code kafka.consumer.*} verbatim: no group (partitions are assigned), nothing
     * committed, small fetch waits for latency, only committed transactions, new partitions read from the end.
     */
    public static Map<String, Object> consumerConfig(KafkaSettings settings) {
        if (settings.useEmbedded() && !settings.consumer().containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("no Kafka bootstrap servers set: start the embedded broker first and"
                    + " use KafkaSettings.withBootstrapServers");
        }
        Map<String, Object> config = new HashMap<>();
        if (!settings.useEmbedded()) {
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        }
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1");
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // reading must never create a topic
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        config.putAll(settings.consumer());
        return config;
    }

    /**
     * Assigns every partition of every topic of the mapper, fixes the positions at the current end and starts the
     * reader thread: everything written after this returns is delivered.
     *
     * @throws IllegalStateException if a topic does not exist or its partitions or end offsets cannot be
     *                               fetched within {@link #START_TIMEOUT}; the feed is closed then
     */
    @Override
    public Map<PartitionId, Long> start(FeedListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the message feed is closed");
            }
            if (started) {
                throw new IllegalStateException("the message feed is already started");
            }
            started = true;
            try {
                assignAtEnd();
            } catch (RuntimeException e) {
                closed = true;
                reader.close();
                throw e;
            }
            LOG.info("Reading {} partition(s) of Kafka topics {} from the end", positions.size(),
                    mapper.kafkaTopics());
            Map<PartitionId, Long> start = Map.copyOf(positions);
            reader.start(polled -> {
                if (!polled.isEmpty()) {
                    deliver(polled, listener);
                }
            });
            return start;
        }
    }

    private void assignAtEnd() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : mapper.kafkaTopics()) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, START_TIMEOUT);
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot fetch the partitions of Kafka topic '" + topic + "': " + e, e);
            }
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("Kafka topic '" + topic + "' does not exist");
            }
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        for (TopicPartition partition : partitions) {
            try {
                // seekToEnd is lazy: resolve the end now, not at the first poll
                positions.put(new PartitionId(partition.topic(), partition.partition()),
                        consumer.position(partition, START_TIMEOUT));
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot fetch the end offset of Kafka topic '" + partition.topic()
                        + "' partition " + partition.partition() + ": " + e, e);
            }
        }
    }

    private void deliver(ConsumerRecords<byte[], byte[]> polled, FeedListener listener) {
        int count = polled.count();
        List<OutboundMessage> batch = new ArrayList<>(count);
        for (TopicPartition partition : polled.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> records = polled.records(partition);
            positions.put(new PartitionId(partition.topic(), partition.partition()),
                    records.get(records.size() - 1).offset() + 1);
        }
        for (ConsumerRecord<byte[], byte[]> record : polled) {
            OutboundMessage message;
            try {
                message = records.toMessage(record);
            } catch (RuntimeException e) {
                LOG.error("Cannot convert the record at {}-{}@{}; skipping it", record.topic(), record.partition(),
                        record.offset(), e);
                message = null;
            }
            if (message != null) {
                batch.add(message);
            }
        }
        recordsSkipped.addAndGet(count - batch.size());
        messagesDelivered.addAndGet(batch.size());
        listener.onBatch(batch, Map.copyOf(positions)); // a failure is logged by the reader, which reads on
    }

    /** Stops the reader thread (waiting up to 10 s for it) and closes the consumer. Idempotent. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            closed = true;
        }
        reader.close();
    }

    /** Records read from Kafka, skipped ones included. */
    @Override
    public long recordsRead() {
        return reader.recordsRead();
    }

    @Override
    public long bytesRead() {
        return reader.bytesRead();
    }

    /** Messages handed to the listener. */
    public long messagesDelivered() {
        return messagesDelivered.get();
    }

    /** Records not delivered: tombstones and records without a valid MQTT topic name. */
    public long recordsSkipped() {
        return recordsSkipped.get();
    }

    /** True while the reader thread runs. */
    public boolean isRunning() {
        return reader.isRunning();
    }
}
