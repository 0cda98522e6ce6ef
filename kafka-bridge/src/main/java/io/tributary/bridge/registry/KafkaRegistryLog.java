package io.tributary.bridge.registry;

import io.tributary.bridge.admin.TopicAdministrator;
import io.tributary.bridge.kafka.PollingReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RegistryLog} on the compacted, single-partition schemas topic.
 *
 * <p>Reading: {@link #start} reads the topic from the beginning up to its end (the last stable offset: the reader
 * is {@code read_committed}), then a {@link PollingReader} keeps applying what any instance writes.
 *
 * <p>Writing: every instance on a topic writes with the same {@code transactional.id}, so at most one of them
 * can write at a time, and writes take turns without electing a leader. A writer that starts (or finds itself
 * fenced) calls {@code initTransactions}, which fences the previous writer and ends its open transaction, then
 * reads the topic up to its last stable offset; from then on, as long as it is not fenced, no other instance has
 * written, so its state is complete when it decides the next id or version. Each write is one transaction: the
 * records of a write (e.g. a subject's versions soft-deleted together) are all applied or none. A write fenced by
 * another instance is decided again on the state that includes that instance's writes.
 *
 * <p>Threads: writes run one at a time on a writer thread; the state is written by the reader thread.
 */
final class KafkaRegistryLog implements RegistryLog, AutoCloseable {

    /** Bound of {@link #start}: the topic created and read to its end. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** Bound of one write, from deciding to reading it back. */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_ATTEMPTS = 10;
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final Logger LOG = LoggerFactory.getLogger(KafkaRegistryLog.class);

    private final SchemaRegistrySettings settings;
    private final String topic;
    private final TopicPartition partition;
    private final RegistryState state = new RegistryState();
    private final Admin admin;
    private final PollingReader<byte[], byte[]> reader;
    private final ExecutorService writer;
    private final Object positionLock = new Object();
    private long position; // guarded by positionLock: the next offset to apply
    private volatile KafkaProducer<byte[], byte[]> producer; // writer thread only; null until a write, or after a failure

    KafkaRegistryLog(SchemaRegistrySettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.topic = settings.topic();
        this.partition = new TopicPartition(topic, 0);
        Map<String, Object> adminConfig = new HashMap<>();
        adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        adminConfig.putAll(settings.admin());
        this.admin = Admin.create(adminConfig);
        Map<String, Object> consumerConfig = new HashMap<>();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        // a registration waits until it is read back
        consumerConfig.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        consumerConfig.putAll(settings.consumer());
        consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned, every instance reads everything
        try {
            this.reader = new PollingReader<>(new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer()), "tributary-schema-registry-reader", POLL_TIMEOUT);
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            throw e;
        }
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tributary-schema-registry-writer");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public RegistryState state() {
        return state;
    }

    /**
     * Creates the topic if missing and reads it to its end, then follows it.
     *
     * @throws IllegalStateException naming the topic if it cannot be created or read, or has more than one
     *                               partition
     */
    void start() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        ensureTopic(deadline);
        org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer = reader.consumer();
        int applied = 0;
        try {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), remaining(deadline)).get(partition);
            while (consumer.position(partition, remaining(deadline)) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the schemas topic '" + topic
                            + "' up to its end (" + end + ") within " + START_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                    apply(record);
                    applied++;
                }
            }
            advance(consumer.position(partition));
        } catch (IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read the schemas topic '" + topic + "': " + e, e);
        }
        LOG.info("Schema registry read {} record(s) of '{}': {} subject(s), highest id {}", applied, topic,
                state.subjects(false).size(), state.highestId());
        reader.start(this::onPoll);
        // the first transactional producer may wait for Kafka to set up its transaction state: not on a request
        writer.execute(this::warmUp);
    }

    private void warmUp() {
        try {
            producer(System.nanoTime() + WRITE_TIMEOUT.toNanos());
        } catch (RegistryException e) {
            LOG.warn("The schema registry cannot write to '{}' yet (will retry on the first write): {}", topic,
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void ensureTopic(long deadline) {
        Optional<Short> replicationFactor = settings.replicationFactor() < 0
                ? Optional.empty() : Optional.of(settings.replicationFactor());
        NewTopic newTopic = new NewTopic(topic, Optional.of(1), replicationFactor)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        boolean created = false;
        try {
            admin.createTopics(List.of(newTopic)).all().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            created = true;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the schemas topic '" + topic + "': "
                        + e.getCause().getMessage(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create the schemas topic '" + topic + "': Kafka at "
                    + settings.bootstrapServers() + " did not answer within " + START_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the schemas topic '" + topic + "'", e);
        }
        if (created) {
            LOG.info("Created the schemas topic '{}'", topic);
            TopicAdministrator.awaitWritable(admin, List.of(topic), deadline);
            return;
        }
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(remainingMillis(deadline), TimeUnit.MILLISECONDS).get(topic);
            if (description.partitions().size() != 1) {
                throw new IllegalStateException("the schemas topic '" + topic + "' has "
                        + description.partitions().size() + " partitions; it must have exactly 1, since ids are"
                        + " handed out in its order");
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all()
                    .get(remainingMillis(deadline), TimeUnit.MILLISECONDS).get(resource);
            String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG) == null
                    ? "" : config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT) || policy.contains("delete")) {
                LOG.warn("The schemas topic '{}' has cleanup.policy={}, not compact: retention may delete schemas",
                        topic, policy);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe the schemas topic '" + topic + "': "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot describe the schemas topic '" + topic + "' within "
                    + START_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the schemas topic '" + topic + "'", e);
        }
    }

    private void onPoll(ConsumerRecords<byte[], byte[]> records) {
        for (ConsumerRecord<byte[], byte[]> record : records) {
            apply(record);
        }
        // also past aborted records and transaction markers, which polls return nothing for
        advance(reader.consumer().position(partition));
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        try {
            RegistryRecords.decode(record.key(), record.value()).ifPresent(state::apply);
        } catch (RuntimeException e) {
            LOG.warn("Skipping record {} of the schemas topic '{}': {}", record.offset(), topic, e.getMessage());
        }
    }

    private void advance(long next) {
        synchronized (positionLock) {
            if (next > position) {
                position = next;
                positionLock.notifyAll();
            }
        }
    }

    /** Waits until every record before {@code offset} is applied. */
    private void awaitApplied(long offset, long deadline) throws InterruptedException {
        synchronized (positionLock) {
            while (position < offset) {
                long waitMillis = remainingMillis(deadline);
                if (waitMillis <= 0) {
                    throw RegistryException.timeout("the schemas topic '" + topic + "' was not read up to offset "
                            + offset + " within " + WRITE_TIMEOUT + " (read up to " + position + ")");
                }
                positionLock.wait(waitMillis);
            }
        }
    }

    @Override
    public <T> CompletionStage<T> append(Function<RegistryState, Plan<T>> planner) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            writer.execute(() -> {
                try {
                    result.complete(write(planner));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    result.completeExceptionally(RegistryException.storeError("the registry is closing", e));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(RegistryException.storeError("the registry is closed", e));
        }
        return result;
    }

    private <T> T write(Function<RegistryState, Plan<T>> planner) throws InterruptedException {
        long deadline = System.nanoTime() + WRITE_TIMEOUT.toNanos();
        for (int attempt = 1; ; attempt++) {
            KafkaProducer<byte[], byte[]> writing = producer(deadline);
            Plan<T> plan = planner.apply(state);
            if (plan.records().isEmpty()) {
                return plan.result();
            }
            try {
                writing.beginTransaction();
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (RegistryRecord record : plan.records()) {
                    sent.add(writing.send(new ProducerRecord<>(topic, 0, RegistryRecords.key(record),
                            RegistryRecords.value(record))));
                }
                writing.commitTransaction();
                long last = -1;
                for (Future<RecordMetadata> future : sent) {
                    last = Math.max(last, future.get().offset());
                }
                awaitApplied(last + 1, deadline);
                return plan.result();
            } catch (ProducerFencedException | InvalidProducerEpochException e) {
                discardProducer();
                if (attempt >= MAX_ATTEMPTS || System.nanoTime() > deadline) {
                    throw RegistryException.storeError("another registry instance kept writing to '" + topic
                            + "'; gave up after " + attempt + " attempts", e);
                }
                LOG.debug("Another registry instance wrote to '{}'; deciding again on its writes", topic);
            } catch (KafkaException | ExecutionException e) {
                discardProducer();
                throw RegistryException.storeError("writing to the schemas topic '" + topic + "' failed: " + e, e);
            }
        }
    }

    /** The transactional producer; a new one first fences the previous writer and reads what it wrote. */
    private KafkaProducer<byte[], byte[]> producer(long deadline) throws InterruptedException {
        if (producer != null) {
            return producer;
        }
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tributary-schema-registry-" + topic);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "30000");
        config.putAll(settings.producer());
        KafkaProducer<byte[], byte[]> created;
        try {
            created = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            throw RegistryException.storeError("cannot create the producer of '" + topic + "': " + e, e);
        }
        try {
            created.initTransactions();
            long stable = admin.listOffsets(Map.of(partition, OffsetSpec.latest()),
                            new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .partitionResult(partition).get(remainingMillis(deadline), TimeUnit.MILLISECONDS).offset();
            awaitApplied(stable, deadline);
        } catch (KafkaException | ExecutionException | TimeoutException e) {
            created.close(Duration.ZERO);
            throw RegistryException.storeError("cannot start writing to the schemas topic '" + topic + "': " + e, e);
        } catch (RuntimeException | InterruptedException e) {
            created.close(Duration.ZERO);
            throw e;
        }
        producer = created;
        return created;
    }

    private void discardProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("Closing the schemas producer failed", e);
            }
            producer = null;
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
                writer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writer.shutdownNow();
        }
        KafkaProducer<byte[], byte[]> last = producer; // the writer thread is done with it
        if (last != null) {
            last.close(Duration.ofSeconds(5));
        }
        reader.close();
        admin.close(Duration.ofSeconds(5));
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private static long remainingMillis(long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - System.nanoTime()));
    }
}
