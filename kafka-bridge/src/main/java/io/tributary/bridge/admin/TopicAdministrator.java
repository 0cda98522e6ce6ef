package io.tributary.bridge.admin;

import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.TopicSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the topics of the Kafka data contract (docs/kafka-contract.md), idempotently: topics that exist are
 * left as they are, also on an external cluster. Message topics get {@code cleanup.policy=delete}, the state
 * topics (retained, sessions, subscriptions) {@code cleanup.policy=compact}; an existing state topic that is not
 * compacted is reported with a warning, since old state would then be lost to retention.
 */
public final class TopicAdministrator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicAdministrator.class);

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** What {@link #ensureTopics} found: the topics it created and those that already existed. */
    public record Result(Set<String> created, Set<String> existing, Set<String> notCompacted) {
    }

    private final Admin admin;

    /** An admin client on {@code bootstrapServers} with the {@code kafka.admin.*} pass-through settings. */
    public TopicAdministrator(String bootstrapServers, Map<String, String> adminOverrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(bootstrapServers, "bootstrapServers"));
        props.putAll(adminOverrides);
        this.admin = Admin.create(props);
    }

    /** From the settings; their bootstrap servers must be set (use the embedded broker's once it runs). */
    public static TopicAdministrator create(KafkaSettings settings) {
        if (settings.useEmbedded()) {
            throw new IllegalArgumentException("no Kafka bootstrap servers set: start the embedded broker first and"
                    + " use KafkaSettings.withBootstrapServers");
        }
        return new TopicAdministrator(settings.bootstrapServers(), settings.admin());
    }

    /**
     * Ensures that the default message topic, every further message topic (e.g. those of the mapping rules),
     * the events, deliveries and dead-letter topics and the three state topics exist.
     *
     * @throws IllegalStateException naming the topic when one cannot be created or Kafka does not answer in time
     */
    public Result ensureTopics(TopicSettings topics, Collection<String> messageTopics, Duration timeout) {
        Map<String, NewTopic> wanted = new LinkedHashMap<>();
        Set<String> messageNames = new LinkedHashSet<>();
        messageNames.add(topics.messages());
        messageNames.addAll(messageTopics);
        Map<String, String> messageConfig = new HashMap<>();
        messageConfig.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        if (topics.messageRetentionMs() >= 0) {
            messageConfig.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(topics.messageRetentionMs()));
        }
        for (String name : messageNames) {
            wanted.put(name, newTopic(name, topics, messageConfig));
        }
        for (String log : List.of(topics.events(), topics.deliveries(), topics.deadLetter())) {
            if (wanted.containsKey(log)) {
                throw new IllegalArgumentException("topic '" + log + "' is configured both as a message topic and"
                        + " as the events, deliveries or dead-letter topic");
            }
            wanted.put(log, newTopic(log, topics, messageConfig)); // logs, like messages
        }
        Set<String> stateNames = stateTopics(topics);
        Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        for (String name : stateNames) {
            if (wanted.containsKey(name)) {
                throw new IllegalArgumentException("topic '" + name + "' is configured both as a message topic and"
                        + " as a compacted state topic");
            }
            wanted.put(name, newTopic(name, topics, compacted));
        }

        long deadline = System.nanoTime() + timeout.toNanos();
        CreateTopicsResult result = admin.createTopics(wanted.values());
        Set<String> created = new LinkedHashSet<>();
        Set<String> existing = new LinkedHashSet<>();
        for (Map.Entry<String, KafkaFuture<Void>> entry : result.values().entrySet()) {
            String name = entry.getKey();
            try {
                await(entry.getValue(), deadline, "create topic '" + name + "'");
                created.add(name);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    existing.add(name);
                } else {
                    throw new IllegalStateException("cannot create Kafka topic '" + name + "': " + e.getCause().getMessage(),
                            e.getCause());
                }
            }
        }
        if (!created.isEmpty()) {
            awaitWritable(admin, created, deadline);
            LOG.info("Created Kafka topics {}", created);
        }
        Set<String> notCompacted = checkCompacted(stateNames, existing, deadline);
        return new Result(Set.copyOf(created), Set.copyOf(existing), notCompacted);
    }

    /** {@link #ensureTopics(TopicSettings, Collection, Duration)} with {@link #DEFAULT_TIMEOUT}. */
    public Result ensureTopics(TopicSettings topics, Collection<String> messageTopics) {
        return ensureTopics(topics, messageTopics, DEFAULT_TIMEOUT);
    }

    /** The underlying admin client, for callers that need more (it is closed with this object). */
    public Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }

    /**
     * Waits until every partition of {@code topics} is served by its leader. Right after creation the
     * metadata can name a leader that has not taken the partition yet; an idempotent producer writing in that
     * window can be answered NOT_LEADER_OR_FOLLOWER and then OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery
     * timeout. ListOffsets is answered by the leader's replica manager, so its success means "writable".
     */
    public static void awaitWritable(Admin admin, Collection<String> topics, long deadlineNanos) {
        while (true) {
            try {
                Map<String, TopicDescription> descriptions =
                        await(admin.describeTopics(topics).allTopicNames(), deadlineNanos, "describe topics " + topics);
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                for (TopicDescription description : descriptions.values()) {
                    for (TopicPartitionInfo partition : description.partitions()) {
                        partitions.put(new TopicPartition(description.name(), partition.partition()),
                                OffsetSpec.latest());
                    }
                }
                await(admin.listOffsets(partitions).all(), deadlineNanos, "reach the leaders of " + topics);
                return;
            } catch (ExecutionException e) {
                // a partition that has not reached its leader yet answers with a retriable error: ask again
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() - deadlineNanos >= 0) {
                    throw new IllegalStateException("Kafka topics " + topics + " did not become writable: "
                            + e.getCause().getMessage(), e.getCause());
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for topics " + topics, interrupted);
                }
            }
        }
    }

    private Set<String> checkCompacted(Set<String> stateNames, Set<String> existing, long deadline) {
        List<ConfigResource> resources = new ArrayList<>();
        for (String name : stateNames) {
            if (existing.contains(name)) {
                resources.add(new ConfigResource(ConfigResource.Type.TOPIC, name));
            }
        }
        if (resources.isEmpty()) {
            return Set.of();
        }
        Map<ConfigResource, Config> configs;
        try {
            configs = await(admin.describeConfigs(resources).all(), deadline, "describe state topics");
        } catch (ExecutionException e) {
            LOG.warn("Cannot check the cleanup policy of the state topics {}: {}", stateNames, e.getCause().toString());
            return Set.of();
        }
        Set<String> notCompacted = new LinkedHashSet<>();
        for (Map.Entry<ConfigResource, Config> entry : configs.entrySet()) {
            ConfigEntry policy = entry.getValue().get(TopicConfig.CLEANUP_POLICY_CONFIG);
            String value = policy == null || policy.value() == null ? "" : policy.value();
            if (!List.of(value.replace(" ", "").split(",")).contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                String name = entry.getKey().name();
                notCompacted.add(name);
                LOG.warn("Kafka topic '{}' exists with cleanup.policy={}, but Tributary keeps state in it and expects"
                        + " cleanup.policy=compact: old state may be deleted by retention", name, value);
            }
        }
        return Set.copyOf(notCompacted);
    }

    private static Set<String> stateTopics(TopicSettings topics) {
        Set<String> names = new LinkedHashSet<>();
        names.add(topics.retained());
        names.add(topics.sessions());
        names.add(topics.subscriptions());
        return names;
    }

    private static NewTopic newTopic(String name, TopicSettings topics, Map<String, String> config) {
        Optional<Short> replication = topics.replicationFactor() == -1
                ? Optional.empty()
                : Optional.of(topics.replicationFactor());
        return new NewTopic(name, Optional.of(topics.partitions()), replication).configs(config);
    }

    private static <T> T await(KafkaFuture<T> future, long deadline, String what) throws ExecutionException {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer in time to " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to " + what, e);
        }
    }
}
