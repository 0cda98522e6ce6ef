package io.tributary.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics a streams app owns (its results, and inputs no one else creates yet) before it starts: Kafka
 * Streams creates only its internal topics, and a sink topic that does not exist stops the app.
 */
public final class AppTopics {

    private static final Logger LOG = LoggerFactory.getLogger(AppTopics.class);

    private AppTopics() {
    }

    /**
     * A copy of the message topics an app reads, checked: at least one, none blank, none twice.
     *
     * @throws IllegalArgumentException saying which rule {@code messageTopics} breaks
     */
    public static List<String> messageTopics(List<String> messageTopics) {
        List<String> topics = List.copyOf(messageTopics);
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("messageTopics must name at least one topic");
        }
        for (String topic : topics) {
            if (topic.isBlank()) {
                throw new IllegalArgumentException("messageTopics contains a blank topic name: " + topics);
            }
        }
        if (new java.util.HashSet<>(topics).size() != topics.size()) {
            throw new IllegalArgumentException("messageTopics contains a topic twice: " + topics);
        }
        return topics;
    }

    /**
     * A topic to create with the partition count and replication factor of the settings (-1: broker default).
     *
     * @param compact whether the topic is a table (cleanup.policy=compact) rather than a log (delete)
     */
    public static NewTopic topic(String name, int partitions, short replicationFactor, boolean compact) {
        NewTopic topic = new NewTopic(name,
                partitions < 0 ? Optional.empty() : Optional.of(partitions),
                replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor));
        return topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                compact ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE));
    }

    /**
     * Creates {@code topics} that do not exist yet; existing ones are left as they are.
     *
     * @param streamsConfig the app's Streams configuration (its admin client settings are used)
     * @throws IllegalStateException if Kafka does not create them within {@code timeout}
     */
    public static void ensure(Map<String, Object> streamsConfig, List<NewTopic> topics, Duration timeout) {
        if (topics.isEmpty()) {
            return;
        }
        StreamsConfig config = new StreamsConfig(streamsConfig);
        String clientId = config.getString(StreamsConfig.APPLICATION_ID_CONFIG) + "-topics";
        try (Admin admin = Admin.create(config.getAdminConfigs(clientId))) {
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            if (!created.isEmpty()) {
                LOG.info("created topics {}", created);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not create the topics within " + timeout
                    + " (is it reachable?)", e);
        }
    }
}
