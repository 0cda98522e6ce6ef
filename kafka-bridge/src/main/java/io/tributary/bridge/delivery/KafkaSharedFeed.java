package io.tributary.bridge.delivery;

import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.mapping.TopicMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT shared subscription ({@code $share/{name}/{filter}}) on this node: a Kafka consumer group per share,
 * joined by every node that has members of it, so each partition of the message topics, and with it each message,
 * goes to exactly one node, which hands it to one of its members. A message's offset is committed only when the
 * member is done with it ({@link #done}: acknowledged, or not to be delivered), so a member, or a node, that
 * leaves with messages in flight does not lose them: they are handed to another member, here or, after the
 * group's rebalance, on another node (at least once; MQTT allows the duplicate at QoS 1).
 *
 * <p>A group that has no committed offset for a partition starts it where the topic ended when this feed was
 * started, so that a message published after the first SUBACK of the share is delivered.
 */
public final class KafkaSharedFeed implements SharedFeed {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSharedFeed.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final long COMMIT_INTERVAL_NANOS = 500_000_000L;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicMapper mapper;
    private final MessageRecords records;
    private final TopicFilter filter;
    private final String groupId;
    private final Queue<OutboundMessage> done = new ConcurrentLinkedQueue<>();
    /** Per assigned partition: offsets handed to the listener and not done yet, and the next offset to read. */
    private final Map<TopicPartition, Progress> progress = new HashMap<>();
    private final Map<TopicPartition, Long> startOffsets = new HashMap<>();
    private volatile boolean closed;
    private Thread thread;

    private static final class Progress {
        final TreeSet<Long> pending = new TreeSet<>();
        long next = -1;

        long committable() {
            return pending.isEmpty() ? next : pending.first();
        }
    }

    /**
     * @param groupPrefix  distinguishes Tributary clusters sharing a Kafka cluster (e.g. the messages topic name)
     * @param shareName    the ShareName of {@code $share/{ShareName}/{filter}}
     * @param filter       the topic filter of the share
     */
    public KafkaSharedFeed(KafkaSettings settings, TopicMapper mapper, int defaultQos, String groupPrefix,
                           String shareName, TopicFilter filter) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.records = new MessageRecords(mapper, defaultQos);
        this.filter = Objects.requireNonNull(filter, "filter");
        this.groupId = groupId(groupPrefix, shareName, filter.toString());
        Map<String, Object> config = new HashMap<>(KafkaMessageFeed.consumerConfig(settings));
        // the feed's settings (kafka.consumer.* included: auto commit off, reset to latest) in the share's own group
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The consumer group of a share: readable, and short whatever the filter. */
    public static String groupId(String prefix, String shareName, String filter) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(filter.getBytes(StandardCharsets.UTF_8));
            return "tributary-share." + prefix + "." + shareName + "." + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String groupId() {
        return groupId;
    }

    /**
     * Notes where every partition ends now (the start of partitions the group has never committed), joins the
     * group and starts reading; completes when the positions are known, on the feed's thread.
     */
    @Override
    public CompletionStage<Void> start(DeliveryListener listener) {
        Objects.requireNonNull(listener, "listener");
        CompletableFuture<Void> started = new CompletableFuture<>();
        thread = new Thread(() -> run(listener, started), "tributary-share-" + groupId);
        thread.setDaemon(true);
        thread.start();
        return started;
    }

    /** The listener is done with {@code message}: delivered and acknowledged, or not to be delivered. Any thread. */
    @Override
    public void done(OutboundMessage message) {
        done.add(message);
    }

    private void run(DeliveryListener listener, CompletableFuture<Void> started) {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : mapper.kafkaTopics()) {
                for (PartitionInfo info : consumer.partitionsFor(topic, START_TIMEOUT)) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            startOffsets.putAll(consumer.endOffsets(partitions, START_TIMEOUT));
            consumer.subscribe(mapper.kafkaTopics(), new Rebalance());
            started.complete(null);
            long nextCommit = System.nanoTime() + COMMIT_INTERVAL_NANOS;
            while (!closed) {
                List<OutboundMessage> batch = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    Progress p = progress.computeIfAbsent(partition, k -> new Progress());
                    p.next = record.offset() + 1;
                    OutboundMessage message = records.toMessage(record);
                    if (message != null && filter.matches(message.topic())) {
                        p.pending.add(record.offset());
                        batch.add(message);
                    }
                }
                if (!batch.isEmpty()) {
                    try {
                        listener.onMessages(batch);
                    } catch (RuntimeException e) {
                        LOG.error("The listener of shared subscription group {} failed", groupId, e);
                    }
                }
                applyDone();
                if (System.nanoTime() - nextCommit >= 0) {
                    commit(false);
                    nextCommit = System.nanoTime() + COMMIT_INTERVAL_NANOS;
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            started.completeExceptionally(e);
            if (!closed) {
                LOG.error("Shared subscription group {} stopped reading", groupId, e);
            }
        } finally {
            try {
                applyDone();
                commit(true);
            } catch (RuntimeException e) {
                LOG.debug("Final commit of {} failed: {}", groupId, e.toString());
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void applyDone() {
        OutboundMessage message;
        while ((message = done.poll()) != null) {
            Progress p = progress.get(new TopicPartition(message.kafkaTopic(), message.partition()));
            if (p != null) {
                p.pending.remove(message.offset());
            }
        }
    }

    private void commit(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        progress.forEach((partition, p) -> {
            if (p.next >= 0) {
                offsets.put(partition, new OffsetAndMetadata(p.committable()));
            }
        });
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(offsets, Duration.ofSeconds(5));
        } else {
            consumer.commitAsync(offsets, (committed, failure) -> {
                if (failure != null) {
                    LOG.debug("Commit of {} failed: {}", groupId, failure.toString());
                }
            });
        }
    }

    /** Commits what is done before partitions move; starts never-committed partitions where they ended at start. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            applyDone();
            commit(true);
            partitions.forEach(progress::remove); // the new owner delivers what was not done from the commit on
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
            for (TopicPartition partition : partitions) {
                Long start = startOffsets.get(partition);
                if ((committed.get(partition) == null) && start != null) {
                    consumer.seek(partition, start);
                }
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (thread == null) {
            consumer.close(Duration.ofSeconds(5));
            return;
        }
        consumer.wakeup();
        {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
