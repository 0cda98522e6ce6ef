package io.tributary.config;

import io.tributary.bridge.EmbeddedKafkaSettings;
import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.TopicSettings;
import io.tributary.bridge.mapping.KeyStrategy;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicFilter;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The effective configuration of one broker node: built-in defaults, overridden by the YAML file, the
 * {@code TRIBUTARY_*} environment and the command line, in that order (see {@link ConfigLoader} and
 * docs/configuration.md). Instances from the loader are fully validated.
 *
 * @param nodeId  stable id of this broker node
 * @param dataDir directory for local files; the embedded Kafka keeps its data in {@code <dataDir>/kafka}
 * @param mqtt    the MQTT listener and protocol limits
 * @param auth    authentication
 * @param metrics the Prometheus endpoint
 * @param kafka   the Kafka connection, topics, embedded broker and client passthrough properties
 * @param routing how messages reach the nodes (broadcast or routed)
 * @param schemaRegistry the registry of the mapping rules with format avro or envelope
 * @param streams the Kafka Streams apps the node runs in its JVM
 * @param mapping MQTT-to-Kafka topic mapping rules as configured, in order (first match wins)
 */
public record TributaryConfig(
        String nodeId,
        Path dataDir,
        MqttConfig mqtt,
        AuthConfig auth,
        MetricsConfig metrics,
        RoutingConfig routing,
        KafkaConfig kafka,
        SchemaRegistryConfig schemaRegistry,
        StreamsAppsConfig streams,
        List<MappingConfig> mapping) {

    public TributaryConfig {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(mqtt, "mqtt");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(schemaRegistry, "schemaRegistry");
        Objects.requireNonNull(streams, "streams");
        mapping = mapping == null ? List.of() : List.copyOf(mapping);
    }

    /** The built-in defaults (the node id is the host name); what {@code tributary} runs with no arguments. */
    public static TributaryConfig defaults() {
        return ConfigLoader.load(new String[0], Map.of());
    }

    /** The embedded broker's data directory: {@code <data-dir>/kafka}, absolute. */
    public Path embeddedKafkaDir() {
        return dataDir.toAbsolutePath().normalize().resolve("kafka");
    }

    /** Where the Streams apps keep local state: {@code streams.state-dir}, or {@code <data-dir>/streams}. */
    public Path streamsStateDir() {
        Path dir = streams.stateDir() != null ? streams.stateDir() : dataDir.resolve("streams");
        return dir.toAbsolutePath().normalize();
    }

    /** The settings the kafka-bridge module takes. */
    public KafkaSettings kafkaSettings() {
        TopicsConfig t = kafka.topics();
        EmbeddedKafkaConfig e = kafka.embedded();
        return new KafkaSettings(
                kafka.bootstrapServers(),
                new TopicSettings(t.messages(), t.retained(), t.sessions(), t.subscriptions(), t.events(), t.deliveries(), t.deadLetter(),
                        t.partitions(), (short) t.replicationFactor(), t.messageRetentionMs()),
                new EmbeddedKafkaSettings(embeddedKafkaDir(), e.host(), e.port(), e.controllerPort(),
                        e.retentionMs(), e.retentionBytes(), e.segmentBytes(), e.broker()),
                kafka.maxInflightBytes(),
                kafka.producer(),
                kafka.consumer(),
                kafka.admin());
    }

    /**
     * The mapping rules, in order. MQTT topics no rule matches go to {@code kafka.topics.messages}.
     *
     * @throws IllegalArgumentException if a rule is invalid (never for a configuration from {@link ConfigLoader})
     */
    public List<MappingRule> mappingRules() {
        return mapping.stream()
                .map(m -> new MappingRule(TopicFilter.parse(m.filter()), m.kafkaTopic(), KeyStrategy.parse(m.key()),
                        m.mqttTopic(), m.payloadFormat()))
                .toList();
    }

    /**
     * The configuration as YAML in the file format, with the values of secret passthrough properties (keys
     * containing password, secret, jaas or token) shown as {@code ******}. Without secrets, loading the output
     * as a configuration file gives an equal configuration.
     */
    public String toYaml() {
        return ConfigMapper.toYaml(this);
    }
}
