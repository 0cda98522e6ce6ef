package io.tributary.bridge.retained;

import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.delivery.KafkaMessageFeed;
import io.tributary.bridge.delivery.MessageRecords;
import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.kafka.PollingReader;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.mapping.TopicMapper;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.bridge.publish.MessageHeaders;
import io.tributary.bridge.publish.PublishAck;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's view of retained state: every partition of the compacted retained topic, read from the beginning
 * and then tailed on a daemon thread {@value #THREAD_NAME}, indexed by topic level ({@link RetainedIndex}).
 *
 * <p><b>Read your writes.</b> The retained topic is written by the retained-state Streams app, a moment after the
 * message itself. So that a client that saw its retained PUBLISH acknowledged finds it at once in a SUBSCRIBE on
 * this node, the publisher hands every acknowledged retained message to {@link #written} before the PUBACK: it
 * serves at once, and stays until the retained topic has caught up with it. The records of the retained topic say
 * where their message is in its message topic ({@code mqtt.source.*} headers), so an older version arriving late
 * never replaces a newer one written here.
 */
public final class KafkaRetainedStore implements RetainedStore, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaRetainedStore.class);

    public static final String THREAD_NAME = "tributary-retained";
    static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private final String topic;
    private final PollingReader<byte[], byte[]> reader;
    private final MessageRecords records;
    private final RetainedIndex<OutboundMessage> index = new RetainedIndex<>();
    /** Written on this node, not yet seen in the retained topic; a deletion is an empty payload. */
    private final Map<String, OutboundMessage> unconfirmed = new HashMap<>(); // guarded by this
    private final CountDownLatch caughtUp = new CountDownLatch(1);

    /**
     * @param settings    the bootstrap servers and the retained topic; {@code kafka.consumer.*} apply
     * @param mapper      the mapping rules (records of the retained topic are message records)
     * @param defaultQos  QoS of retained records of other Kafka producers (no {@code mqtt.qos} header)
     */
    public KafkaRetainedStore(KafkaSettings settings, TopicMapper mapper, int defaultQos) {
        this.topic = settings.topics().retained();
        this.records = new MessageRecords(mapper, defaultQos);
        Map<String, Object> config = new HashMap<>(KafkaMessageFeed.consumerConfig(settings));
        // compaction may have removed the offset we would start from: the beginning is what is there
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.reader = new PollingReader<>(new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer()), THREAD_NAME, POLL_TIMEOUT);
    }

    /**
     * Assigns every partition of the retained topic from the beginning, starts reading, and waits up to
     * {@code timeout} until what the topic held at the start has been read.
     *
     * @throws IllegalStateException if the topic does not exist or its partitions cannot be fetched
     */
    public void start(Duration timeout) throws InterruptedException {
        Consumer<byte[], byte[]> consumer = reader.consumer();
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, timeout);
        } catch (RuntimeException e) {
            reader.close();
            throw new IllegalStateException("cannot fetch the partitions of Kafka topic '" + topic + "': " + e, e);
        }
        if (infos == null || infos.isEmpty()) {
            reader.close();
            throw new IllegalStateException("Kafka topic '" + topic + "' does not exist");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> remaining = new HashMap<>(consumer.endOffsets(partitions, timeout));
        remaining.values().removeIf(end -> end == 0);
        if (remaining.isEmpty()) {
            caughtUp.countDown();
        }
        long started = System.nanoTime();
        reader.start(polled -> {
            for (ConsumerRecord<byte[], byte[]> record : polled) {
                try {
                    apply(record);
                } catch (RuntimeException e) {
                    LOG.error("Cannot apply the retained record at {}-{}@{}; skipping it", record.topic(),
                            record.partition(), record.offset(), e);
                }
            }
            if (!remaining.isEmpty()) {
                remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
                if (remaining.isEmpty()) {
                    caughtUp.countDown();
                }
            }
        });
        if (caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.info("Read {} retained message(s) from '{}' in {} ms", index.size(), topic,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } else {
            LOG.warn("Retained topic '{}' not read to its end within {}: serving what was read, reading on",
                    topic, timeout);
        }
    }

    /** A record of the retained topic: a retained message, or a tombstone that deletes one. */
    void apply(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null) {
            return;
        }
        String mqttTopic = new String(record.key(), StandardCharsets.UTF_8);
        Source source = Source.of(record);
        OutboundMessage message = null;
        if (record.value() != null) {
            OutboundMessage read = records.toMessage(record);
            if (read == null) {
                return;
            }
            message = source == null ? read : new OutboundMessage(read.topic(), read.payload(), read.qos(), true,
                    read.publisherClientId(), read.properties(), read.timestampMs(), source.topic, source.partition,
                    source.offset);
            mqttTopic = message.topic();
        }
        synchronized (this) {
            OutboundMessage local = unconfirmed.get(mqttTopic);
            if (local != null) {
                // an expiry (no source) or a version older than the one written here is out of date already
                if (source == null || !source.notOlderThan(local, record.timestamp())) {
                    return;
                }
                unconfirmed.remove(mqttTopic);
            }
            if (message == null) {
                index.remove(mqttTopic);
            } else {
                index.put(mqttTopic, message);
            }
        }
    }

    /**
     * A retained message Kafka acknowledged on this node: served at once (an empty payload deletes), until the
     * retained topic shows it or a newer one. Called on Kafka's producer thread.
     */
    public void written(InboundPublish publish, PublishAck ack) {
        OutboundMessage message = new OutboundMessage(publish.topic(), publish.payload(), publish.qos(), true,
                publish.clientId(), publish.properties(), ack.timestampMs(), ack.kafkaTopic(), ack.partition(),
                ack.offset());
        synchronized (this) {
            OutboundMessage current = index.get(publish.topic());
            if (current != null && Source.isNewer(current, message)) {
                return; // the retained topic already had a newer version
            }
            unconfirmed.put(publish.topic(), message);
            if (publish.payload().length == 0) {
                index.remove(publish.topic()); // MQTT-3.3.1-10/-11: an empty retained message deletes
            } else {
                index.put(publish.topic(), message);
            }
        }
    }

    @Override
    public void match(TopicFilter filter, java.util.function.Consumer<OutboundMessage> action) {
        index.match(filter, action);
    }

    @Override
    public int size() {
        return index.size();
    }

    /** Records of the retained topic read so far. */
    public long recordsRead() {
        return reader.recordsRead();
    }

    /** Stops the reader thread and closes the consumer. Idempotent. */
    @Override
    public void close() {
        reader.close();
    }

    /** Where a retained record's message is in its message topic ({@code mqtt.source.*} headers). */
    private record Source(String topic, int partition, long offset) {

        static Source of(ConsumerRecord<byte[], byte[]> record) {
            Header topic = record.headers().lastHeader(MessageHeaders.SOURCE_TOPIC);
            Header partition = record.headers().lastHeader(MessageHeaders.SOURCE_PARTITION);
            Header offset = record.headers().lastHeader(MessageHeaders.SOURCE_OFFSET);
            if (topic == null || partition == null || offset == null) {
                return null;
            }
            try {
                return new Source(utf8(topic), Integer.parseInt(utf8(partition)), Long.parseLong(utf8(offset)));
            } catch (RuntimeException e) {
                return null;
            }
        }

        /** This version is {@code local} or came after it: same partition by offset, else by timestamp. */
        boolean notOlderThan(OutboundMessage local, long timestampMs) {
            if (topic.equals(local.kafkaTopic()) && partition == local.partition()) {
                return offset >= local.offset();
            }
            return timestampMs >= local.timestampMs();
        }

        static boolean isNewer(OutboundMessage a, OutboundMessage b) {
            if (Objects.equals(a.kafkaTopic(), b.kafkaTopic()) && a.partition() == b.partition()) {
                return a.offset() > b.offset();
            }
            return a.timestampMs() > b.timestampMs();
        }

        private static String utf8(Header header) {
            return new String(header.value(), StandardCharsets.UTF_8);
        }
    }
}
