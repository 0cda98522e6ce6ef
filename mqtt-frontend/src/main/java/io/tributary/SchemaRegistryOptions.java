package io.tributary;

import java.util.Map;
import java.util.Objects;

/**
 * Which Schema Registry the node uses for the mapping rules with format {@code avro} or {@code envelope}.
 *
 * @param url           a Confluent-compatible registry ({@code http://host:8081}, comma-separated for several);
 *                      null: the embedded one
 * @param client        further client settings by their Confluent names ({@code basic.auth.user.info}, TLS...)
 * @param embeddedHost  where the embedded registry listens (when {@code url} is null)
 * @param embeddedPort  its port (0: any free port)
 * @param embeddedTopic the compacted topic it keeps schemas in
 */
public record SchemaRegistryOptions(String url, Map<String, String> client, String embeddedHost, int embeddedPort,
                                    String embeddedTopic) {

    public SchemaRegistryOptions {
        client = Map.copyOf(client);
        Objects.requireNonNull(embeddedHost, "embeddedHost");
        Objects.requireNonNull(embeddedTopic, "embeddedTopic");
    }

    /** The embedded registry on any free port of 127.0.0.1 (tests). */
    public static SchemaRegistryOptions embeddedOnAnyPort(String topic) {
        return new SchemaRegistryOptions(null, Map.of(), "127.0.0.1", 0, topic);
    }
}
