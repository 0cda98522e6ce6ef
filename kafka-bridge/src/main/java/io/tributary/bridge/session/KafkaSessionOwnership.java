package io.tributary.bridge.session;

import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.delivery.KafkaMessageFeed;
import io.tributary.schemas.Records;
import io.tributary.schemas.session.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SessionOwnership} on the sessions topic: claims are {@link SessionRecord}s keyed by client id (so all claims
 * of one client are in one partition, in order, and their offsets compare); a watcher thread reads every partition
 * from the end as it was at start.
 */
public final class KafkaSessionOwnership implements SessionOwnership {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSessionOwnership.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final String nodeId;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private Thread watcher;
    private volatile boolean closed;

    /** Needs {@code settings.bootstrapServers()}; the sessions topic must exist. */
    public KafkaSessionOwnership(KafkaSettings settings, String nodeId) {
        this.topic = settings.topics().sessions();
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        Map<String, Object> producerConfig = new HashMap<>();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        // a CONNECT waits for its claim: give up after seconds, not minutes
        producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
        producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
        producerConfig.putAll(settings.producer());
        this.producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
        // the same reader settings as the message feed: assigned partitions, no group, nothing auto-created
        this.consumer = new KafkaConsumer<>(KafkaMessageFeed.consumerConfig(settings), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @Override
    public void start(ClaimListener listener) {
        Objects.requireNonNull(listener, "listener");
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic, START_TIMEOUT)) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        if (partitions.isEmpty()) {
            throw new IllegalStateException("Kafka topic '" + topic + "' does not exist");
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(p -> consumer.position(p, START_TIMEOUT)); // fix the start now, not at the first poll
        watcher = new Thread(() -> watch(listener), "tributary-session-owners");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void watch(ClaimListener listener) {
        try {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        continue; // a tombstone: the session was removed
                    }
                    SessionRecord claim;
                    try {
                        claim = Records.decodeSession(record.value());
                    } catch (IllegalArgumentException e) {
                        LOG.warn("Skipping a record of {} at {}/{}: {}", topic, record.partition(), record.offset(),
                                e.getMessage());
                        continue;
                    }
                    try {
                        listener.onClaim(claim.getClientId(), claim.getNodeId(), record.offset());
                    } catch (RuntimeException e) {
                        LOG.error("A session claim listener failed", e);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.error("Watching the session owners in {} stopped", topic, e);
            }
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public CompletionStage<Long> claim(String clientId) {
        CompletableFuture<Long> epoch = new CompletableFuture<>();
        SessionRecord record = SessionRecord.newBuilder()
                .setClientId(clientId).setNodeId(nodeId).setConnectedAt(Instant.now()).build();
        try {
            producer.send(new ProducerRecord<>(topic, clientId.getBytes(StandardCharsets.UTF_8),
                    Records.encode(record)), (metadata, failure) -> {
                        if (failure != null) {
                            epoch.completeExceptionally(failure);
                        } else {
                            epoch.complete(metadata.offset());
                        }
                    });
        } catch (RuntimeException e) {
            epoch.completeExceptionally(e);
        }
        return epoch;
    }

    @Override
    public void release(String clientId) {
        try {
            producer.send(new ProducerRecord<>(topic, clientId.getBytes(StandardCharsets.UTF_8), null), (m, failure) -> {
                if (failure != null) {
                    LOG.debug("Could not remove the session claim of '{}': {}", clientId, failure.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("Could not remove the session claim of '{}': {}", clientId, e.toString());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        producer.close(Duration.ofSeconds(5));
        if (watcher != null) {
            consumer.wakeup();
            try {
                watcher.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            consumer.close(Duration.ofSeconds(2));
        }
    }
}
