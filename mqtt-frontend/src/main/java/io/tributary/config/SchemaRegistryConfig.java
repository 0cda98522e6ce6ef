package io.tributary.config;

import java.util.Map;
import java.util.Objects;

/**
 * The Schema Registry of the mapping rules with format avro or envelope (section {@code schema-registry}).
 *
 * @param url      a Confluent-compatible registry, {@code http(s)://host:port[,...]}; null: the embedded one
 * @param client   client settings by their Confluent names, passed through (e.g. {@code basic.auth.user.info})
 * @param embedded the embedded registry, used when {@code url} is null
 */
public record SchemaRegistryConfig(String url, Map<String, String> client, EmbeddedRegistryConfig embedded) {

    public SchemaRegistryConfig {
        client = Secrets.sortedCopy(client);
        Objects.requireNonNull(embedded, "embedded");
    }

    /**
     * The embedded registry (section {@code schema-registry.embedded}).
     *
     * @param host  address it listens on
     * @param port  its port
     * @param topic the compacted Kafka topic it keeps the schemas in
     */
    public record EmbeddedRegistryConfig(String host, int port, String topic) {
        public EmbeddedRegistryConfig {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(topic, "topic");
        }
    }

    /** Secrets in the passthrough map are masked. */
    @Override
    public String toString() {
        return "SchemaRegistryConfig[url=" + url + ", client=" + Secrets.mask(client) + ", embedded=" + embedded + "]";
    }
}
