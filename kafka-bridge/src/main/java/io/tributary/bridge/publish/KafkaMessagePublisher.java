package io.tributary.bridge.publish;

import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.format.PayloadFormatException;
import io.tributary.bridge.mapping.TopicMapper;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link MessagePublisher} over one idempotent {@link KafkaProducer} per node ({@code acks=all}).
 *
 * <p>Records: topic and key from the {@link TopicMapper}, value = payload, headers from {@link MessageHeaders}.
 * All records of one MQTT topic go to one partition, in order: keyed records by Kafka's partitioner (murmur2 of
 * the key), unkeyed records (key strategy {@code none}) by the same hash of the MQTT topic.
 *
 * <p>Back-pressure: the bytes handed to Kafka and not yet acknowledged (payload, key, topic and headers,
 * approximately) are counted. Above {@code maxInflightBytes} the publisher is {@link #saturated()};
 * {@link #whenRelieved} actions run once in-flight bytes drop to half the budget, on the producer's I/O thread.
 */
public final class KafkaMessagePublisher implements MessagePublisher {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaMessagePublisher.class);

    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * max.request.size of our producer (and message.max.bytes of the embedded broker): an MQTT packet of 1 MiB,
     * the default mqtt.max-packet-size, plus its key and headers must fit in one record.
     */
    public static final int MAX_REQUEST_SIZE = 2 * 1024 * 1024;
    private static final long MIN_BUFFER_MEMORY = 32L * 1024 * 1024;

    private final Producer<byte[], byte[]> producer;
    private final TopicMapper mapper;
    private final long maxInflightBytes;
    private final long lowWatermark;
    private final AtomicLong inflightBytes = new AtomicLong();
    private final ConcurrentLinkedQueue<Runnable> reliefActions = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<String, Integer> partitionCounts = new ConcurrentHashMap<>();
    private volatile BiConsumer<InboundPublish, PublishAck> retainedListener;
    private final String deadLetterTopic;

    /**
     * Creates the producer and fetches the metadata of every topic {@code mapper} routes to, so that
     * {@link #publish} does not wait for metadata later. Needs {@code settings.bootstrapServers()}.
     */
    public KafkaMessagePublisher(KafkaSettings settings, TopicMapper mapper) {
        this(new KafkaProducer<>(producerConfig(settings), new ByteArraySerializer(), new ByteArraySerializer()),
                mapper, settings.maxInflightBytes(), settings.topics().deadLetter());
    }

    /**
     * Over a given producer (tests may pass a {@code MockProducer}); the publisher closes it.
     *
     * @param deadLetterTopic where payloads go that do not fit their rule's format
     */
    public KafkaMessagePublisher(Producer<byte[], byte[]> producer, TopicMapper mapper, long maxInflightBytes,
                                 String deadLetterTopic) {
        if (maxInflightBytes <= 0) {
            throw new IllegalArgumentException("maxInflightBytes must be > 0: " + maxInflightBytes);
        }
        this.producer = Objects.requireNonNull(producer, "producer");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.deadLetterTopic = Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        this.maxInflightBytes = maxInflightBytes;
        this.lowWatermark = maxInflightBytes / 2;
        for (String topic : mapper.kafkaTopics()) {
            try {
                partitionCount(topic);
            } catch (RuntimeException e) {
                LOG.warn("Cannot fetch the metadata of Kafka topic '{}' yet (does it exist?): {}", topic, e.toString());
            }
        }
    }

    /**
     * Our producer defaults, then {@code kafka.producer.*} verbatim. {@code buffer.memory} is at least twice the
     * in-flight budget so that the budget, not the producer, decides when publishers are paused.
     */
    public static Map<String, Object> producerConfig(KafkaSettings settings) {
        if (settings.useEmbedded() && !settings.producer().containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("no Kafka bootstrap servers set: start the embedded broker first and"
                    + " use KafkaSettings.withBootstrapServers");
        }
        Map<String, Object> config = new HashMap<>();
        if (!settings.useEmbedded()) {
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        }
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, "131072");
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG,
                Long.toString(Math.max(MIN_BUFFER_MEMORY, 2 * settings.maxInflightBytes())));
        // send() must never hold an event loop for long, even when Kafka is unreachable
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_REQUEST_SIZE));
        config.putAll(settings.producer());
        return config;
    }

    @Override
    public CompletionStage<PublishAck> publish(InboundPublish message) {
        CompletableFuture<PublishAck> result = new CompletableFuture<>();
        Pending pending = null;
        try {
            String mqttTopic = message.topic();
            TopicMapper.Route route = mapper.route(mqttTopic);
            String key = route.keyFor(mqttTopic, message.clientId());
            byte[] topicBytes = mqttTopic.getBytes(StandardCharsets.UTF_8);
            // the key is usually the topic itself: encode it once for key and header
            byte[] keyBytes = key == null ? null : key == mqttTopic ? topicBytes : key.getBytes(StandardCharsets.UTF_8);
            Headers headers = MessageHeaders.of(message, topicBytes);
            String kafkaTopic = route.kafkaTopic();
            byte[] value;
            String refusal = null;
            try {
                value = route.codec().encode(message);
            } catch (PayloadFormatException e) {
                // never silently dropped: the payload as published goes to the dead-letter topic, with the reason
                refusal = e.getMessage();
                value = message.payload();
                headers.add(MessageHeaders.ERROR, refusal.getBytes(StandardCharsets.UTF_8));
                headers.add(MessageHeaders.ERROR_TOPIC, kafkaTopic.getBytes(StandardCharsets.UTF_8));
                kafkaTopic = deadLetterTopic;
            }
            Integer partition = null;
            if (keyBytes == null) {
                // no key: choose the partition from the MQTT topic ourselves, so that its order holds
                partition = Utils.toPositive(Utils.murmur2(topicBytes))
                        % partitionCount(kafkaTopic);
            }
            long size = value.length + (keyBytes == null ? 0 : keyBytes.length)
                    + kafkaTopic.length() + MessageHeaders.sizeOf(headers);
            pending = new Pending(this, result, size, message.retain() && refusal == null ? message : null, refusal);
            inflightBytes.addAndGet(size);
            producer.send(new ProducerRecord<>(kafkaTopic, partition, keyBytes, value, headers), pending);
        } catch (RuntimeException e) {
            // e.g. no metadata within max.block.ms, producer closed, record too large
            if (pending != null) {
                pending.onCompletion(null, e);
            } else {
                result.completeExceptionally(failure(e));
            }
        }
        return result;
    }

    /**
     * Tells {@code listener} of every retained message Kafka acknowledged, on Kafka's thread, before the publish
     * stage completes. Set it before publishing.
     */
    public void onRetainedWritten(BiConsumer<InboundPublish, PublishAck> listener) {
        this.retainedListener = listener;
    }

    private void retainedWritten(InboundPublish message, PublishAck ack) {
        BiConsumer<InboundPublish, PublishAck> listener = retainedListener;
        if (listener != null) {
            try {
                listener.accept(message, ack);
            } catch (RuntimeException e) {
                LOG.error("The retained-write listener failed", e);
            }
        }
    }

    @Override
    public boolean saturated() {
        return inflightBytes.get() > maxInflightBytes;
    }

    @Override
    public void whenRelieved(Runnable action) {
        Objects.requireNonNull(action, "action");
        if (!saturated()) {
            runSafely(action);
            return;
        }
        reliefActions.add(action);
        // the last acknowledgement may have drained the budget before the action was queued
        if (inflightBytes.get() <= lowWatermark) {
            runReliefActions();
        }
    }

    /** Bytes handed to Kafka and not yet acknowledged or failed (approximate). */
    public long inflightBytes() {
        return inflightBytes.get();
    }

    public long maxInflightBytes() {
        return maxInflightBytes;
    }

    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /** Waits up to {@code timeout} for buffered records to be acknowledged; the rest fail. */
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    private void release(long size) {
        long now = inflightBytes.addAndGet(-size);
        if (now <= lowWatermark && !reliefActions.isEmpty()) {
            runReliefActions();
        }
    }

    private void runReliefActions() {
        Runnable action;
        while ((action = reliefActions.poll()) != null) {
            runSafely(action);
        }
    }

    private static void runSafely(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.error("A back-pressure relief action failed", e);
        }
    }

    private int partitionCount(String kafkaTopic) {
        Integer count = partitionCounts.get(kafkaTopic);
        if (count == null) {
            // blocks up to max.block.ms, only until the topic's metadata is known
            List<PartitionInfo> partitions = producer.partitionsFor(kafkaTopic);
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException("Kafka topic '" + kafkaTopic + "' has no partitions");
            }
            count = partitions.size();
            partitionCounts.put(kafkaTopic, count);
        }
        return count;
    }

    /** The callback of one record; completes its stage and returns its bytes to the budget exactly once. */
    private static final class Pending implements Callback {
        private static final AtomicIntegerFieldUpdater<Pending> DONE =
                AtomicIntegerFieldUpdater.newUpdater(Pending.class, "done");

        private final KafkaMessagePublisher publisher;
        private final CompletableFuture<PublishAck> result;
        private final long size;
        /** The message when it is retained (kept only then: most are not). */
        private final InboundPublish retained;
        /** Why the payload went to the dead-letter topic, or null. */
        private final String refusal;
        private volatile int done;

        Pending(KafkaMessagePublisher publisher, CompletableFuture<PublishAck> result, long size,
                InboundPublish retained, String refusal) {
            this.publisher = publisher;
            this.result = result;
            this.size = size;
            this.retained = retained;
            this.refusal = refusal;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (!DONE.compareAndSet(this, 0, 1)) {
                return;
            }
            // the budget first: whoever sees the acknowledgement also sees the bytes returned
            publisher.release(size);
            if (exception == null) {
                PublishAck ack = new PublishAck(metadata.topic(), metadata.partition(), metadata.offset(),
                        metadata.timestamp(), refusal);
                if (retained != null) {
                    // before the stage completes, so before PUBACK: a node serves its own retained writes
                    publisher.retainedWritten(retained, ack);
                }
                result.complete(ack);
            } else {
                result.completeExceptionally(failure(exception));
            }
        }
    }

    /**
     * Kafka's verdict in terms the protocol layer understands: a non-retriable API error (record too large, not
     * authorized, invalid topic) refuses this message; anything else (timeouts, Kafka unreachable, producer
     * closing) may succeed later.
     */
    static PublishFailedException failure(Exception exception) {
        boolean refused = exception instanceof ApiException && !(exception instanceof RetriableException);
        return new PublishFailedException(exception.getClass().getSimpleName() + ": " + exception.getMessage(),
                !refused, exception);
    }
}
