package io.tributary.bridge;

import java.util.Map;
import java.util.Objects;

/**
 * How Tributary reaches Kafka.
 *
 * @param bootstrapServers  an external cluster ({@code host:port,...}); null or blank starts the embedded broker
 * @param topics            names and layout of the data-contract topics
 * @param embedded          the embedded single-node broker (used only when bootstrapServers is blank)
 * @param maxInflightBytes  back-pressure budget: payload bytes handed to Kafka and not yet acknowledged,
 *                          above which the front end stops reading from publishers
 * @param producer          Kafka producer settings passed through verbatim (override our defaults)
 * @param consumer          Kafka consumer settings passed through verbatim
 * @param admin             Kafka admin client settings passed through verbatim
 */
public record KafkaSettings(
        String bootstrapServers,
        TopicSettings topics,
        EmbeddedKafkaSettings embedded,
        long maxInflightBytes,
        Map<String, String> producer,
        Map<String, String> consumer,
        Map<String, String> admin) {

    public static final long DEFAULT_MAX_INFLIGHT_BYTES = 16L * 1024 * 1024;

    public KafkaSettings {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(embedded, "embedded");
        if (maxInflightBytes <= 0) {
            throw new IllegalArgumentException("kafka.max-inflight-bytes must be > 0: " + maxInflightBytes);
        }
        producer = producer == null ? Map.of() : Map.copyOf(producer);
        consumer = consumer == null ? Map.of() : Map.copyOf(consumer);
        admin = admin == null ? Map.of() : Map.copyOf(admin);
    }

    public boolean useEmbedded() {
        return bootstrapServers == null || bootstrapServers.isBlank();
    }

    /** The same settings pointing at another cluster (e.g. the embedded broker once it listens). */
    public KafkaSettings withBootstrapServers(String servers) {
        return new KafkaSettings(servers, topics, embedded, maxInflightBytes, producer, consumer, admin);
    }
}
