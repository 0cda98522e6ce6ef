package io.tributary.bridge.admin;

import io.tributary.bridge.TopicSettings;
import io.tributary.bridge.testing.SharedKafka;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TopicAdministratorIT {

    private static TopicSettings topics(String prefix) {
        return new TopicSettings(prefix + ".messages", prefix + ".retained", prefix + ".sessions",
                prefix + ".subscriptions", prefix + ".events", prefix + ".deliveries", prefix + ".dead-letter", 3, (short) -1, 3_600_000L);
    }

    @Test
    void createsTheContractTopicsIdempotently() throws Exception {
        TopicSettings topics = topics("admin1");
        try (TopicAdministrator administrator = new TopicAdministrator(SharedKafka.bootstrapServers(), Map.of())) {
            TopicAdministrator.Result first = administrator.ensureTopics(topics, List.of("admin1.telemetry"));
            assertThat(first.created()).containsExactlyInAnyOrder("admin1.messages", "admin1.telemetry",
                    "admin1.retained", "admin1.sessions", "admin1.subscriptions", "admin1.events", "admin1.deliveries", "admin1.dead-letter");
            assertThat(first.existing()).isEmpty();

            TopicAdministrator.Result second = administrator.ensureTopics(topics, List.of("admin1.telemetry"));
            assertThat(second.created()).isEmpty();
            assertThat(second.existing()).hasSize(8);
            assertThat(second.notCompacted()).isEmpty();
        }

        Map<String, TopicDescription> described = SharedKafka.admin()
                .describeTopics(List.of("admin1.messages", "admin1.sessions")).allTopicNames().get(30, TimeUnit.SECONDS);
        assertThat(described.get("admin1.messages").partitions()).hasSize(3);
        assertThat(described.get("admin1.sessions").partitions()).hasSize(3);

        assertThat(config("admin1.messages", "cleanup.policy")).isEqualTo("delete");
        assertThat(config("admin1.messages", "retention.ms")).isEqualTo("3600000");
        assertThat(config("admin1.telemetry", "cleanup.policy")).isEqualTo("delete");
        assertThat(config("admin1.events", "cleanup.policy")).isEqualTo("delete");
        for (String state : List.of("admin1.retained", "admin1.sessions", "admin1.subscriptions")) {
            assertThat(config(state, "cleanup.policy")).as(state).isEqualTo("compact");
        }
    }

    @Test
    void reportsAnExistingStateTopicThatIsNotCompacted() {
        SharedKafka.createTopic("admin2.sessions", 1); // delete policy, as a careless operator might create it
        try (TopicAdministrator administrator = new TopicAdministrator(SharedKafka.bootstrapServers(), Map.of())) {
            TopicAdministrator.Result result = administrator.ensureTopics(topics("admin2"), Set.of());
            assertThat(result.existing()).containsExactly("admin2.sessions");
            assertThat(result.notCompacted()).containsExactly("admin2.sessions");
        }
    }

    @Test
    void takesTheBrokerDefaultRetentionWhenNotSet() throws Exception {
        TopicSettings topics = new TopicSettings("admin3.messages", "admin3.retained", "admin3.sessions",
                "admin3.subscriptions", "admin3.events", "admin3.deliveries", "admin3.dead-letter", 1, (short) 1, -1L);
        try (TopicAdministrator administrator = new TopicAdministrator(SharedKafka.bootstrapServers(), Map.of())) {
            administrator.ensureTopics(topics, List.of());
        }
        // a topic's configuration can be described a moment after it was created
        Config config = await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(
                () -> SharedKafka.admin().describeConfigs(List.of(topicResource("admin3.messages")))
                        .all().get(30, TimeUnit.SECONDS).get(topicResource("admin3.messages")), c -> c != null);
        assertThat(config.get("retention.ms").source()).isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(SharedKafka.admin().listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(n -> n.startsWith("admin3.")).collect(Collectors.toSet())).hasSize(7);
    }

    private static ConfigResource topicResource(String topic) {
        return new ConfigResource(ConfigResource.Type.TOPIC, topic);
    }

    private static String config(String topic, String name) {
        return await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> SharedKafka.admin().describeConfigs(List.of(topicResource(topic))).all().get(30, TimeUnit.SECONDS)
                .get(topicResource(topic)).get(name).value(), v -> v != null);
    }

}
