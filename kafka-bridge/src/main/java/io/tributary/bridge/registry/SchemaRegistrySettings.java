package io.tributary.bridge.registry;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The embedded schema registry.
 *
 * @param host               HTTP listener address; 127.0.0.1 by default so that only this machine reaches it
 * @param port               HTTP port, 8081 by default (Confluent's); 0 takes any free port (tests)
 * @param bootstrapServers   the Kafka cluster that stores the schemas
 * @param topic              the compacted schemas topic, one partition, created if missing
 * @param replicationFactor  replication factor of the schemas topic when it is created; -1 takes the broker default
 * @param producer           Kafka producer settings passed through verbatim (override ours; a
 *                           {@code transactional.id} must be the same for every instance on the topic, since
 *                           instances take turns writing by fencing each other with it)
 * @param consumer           Kafka consumer settings passed through verbatim
 * @param admin              Kafka admin client settings passed through verbatim
 */
public record SchemaRegistrySettings(
        String host,
        int port,
        String bootstrapServers,
        String topic,
        short replicationFactor,
        Map<String, String> producer,
        Map<String, String> consumer,
        Map<String, String> admin) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8081;
    public static final String DEFAULT_TOPIC = "_tributary_schemas";

    public SchemaRegistrySettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("schema-registry host must be set: '" + host + "'");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("schema-registry port must be 0..65535: " + port);
        }
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("schema-registry needs Kafka bootstrap servers");
        }
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("schema-registry topic must be set: '" + topic + "'");
        }
        if (replicationFactor == 0 || replicationFactor < -1) {
            throw new IllegalArgumentException(
                    "schema-registry replication-factor must be >= 1 or -1 (broker default): " + replicationFactor);
        }
        producer = producer == null ? Map.of() : Map.copyOf(producer);
        consumer = consumer == null ? Map.of() : Map.copyOf(consumer);
        admin = admin == null ? Map.of() : Map.copyOf(admin);
    }

    /** 127.0.0.1:8081, topic {@value #DEFAULT_TOPIC} with the broker's replication factor, no pass-through. */
    public static SchemaRegistrySettings defaults(String bootstrapServers) {
        return new SchemaRegistrySettings(DEFAULT_HOST, DEFAULT_PORT, bootstrapServers, DEFAULT_TOPIC, (short) -1,
                Map.of(), Map.of(), Map.of());
    }

    public SchemaRegistrySettings withPort(int newPort) {
        return new SchemaRegistrySettings(host, newPort, bootstrapServers, topic, replicationFactor, producer,
                consumer, admin);
    }

    public SchemaRegistrySettings withTopic(String newTopic) {
        return new SchemaRegistrySettings(host, port, bootstrapServers, newTopic, replicationFactor, producer,
                consumer, admin);
    }

    /** Secrets in the pass-through maps are masked. */
    @Override
    public String toString() {
        return "SchemaRegistrySettings[host=" + host + ", port=" + port + ", bootstrapServers=" + bootstrapServers
                + ", topic=" + topic + ", replicationFactor=" + replicationFactor + ", producer=" + mask(producer)
                + ", consumer=" + mask(consumer) + ", admin=" + mask(admin) + "]";
    }

    private static Map<String, String> mask(Map<String, String> properties) {
        Map<String, String> masked = new TreeMap<>();
        properties.forEach((key, value) -> {
            String k = key.toLowerCase(Locale.ROOT);
            boolean secret = k.contains("password") || k.contains("secret") || k.contains("jaas")
                    || k.endsWith(".key");
            masked.put(key, secret ? "******" : value);
        });
        return masked;
    }
}
