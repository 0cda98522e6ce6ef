package io.tributary.config;

import java.util.Map;
import java.util.Objects;

/**
 * How Tributary reaches Kafka (section {@code kafka}). {@link TributaryConfig#kafkaSettings()} turns it into the
 * bridge's {@link io.tributary.bridge.KafkaSettings}.
 *
 * @param bootstrapServers an external cluster ({@code host:port,...}); null starts the embedded broker
 * @param maxInflightBytes payload bytes handed to Kafka and not yet acknowledged above which reading pauses
 * @param producer         Kafka producer properties passed through verbatim
 * @param consumer         Kafka consumer properties passed through verbatim
 * @param admin            Kafka admin client properties passed through verbatim
 */
public record KafkaConfig(
        String bootstrapServers,
        long maxInflightBytes,
        TopicsConfig topics,
        EmbeddedKafkaConfig embedded,
        Map<String, String> producer,
        Map<String, String> consumer,
        Map<String, String> admin) {

    public KafkaConfig {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(embedded, "embedded");
        producer = Secrets.sortedCopy(producer);
        consumer = Secrets.sortedCopy(consumer);
        admin = Secrets.sortedCopy(admin);
    }

    /** Secrets in the passthrough maps are masked. */
    @Override
    public String toString() {
        return "KafkaConfig[bootstrapServers=" + bootstrapServers + ", maxInflightBytes=" + maxInflightBytes
                + ", topics=" + topics + ", embedded=" + embedded + ", producer=" + Secrets.mask(producer)
                + ", consumer=" + Secrets.mask(consumer) + ", admin=" + Secrets.mask(admin) + "]";
    }
}
