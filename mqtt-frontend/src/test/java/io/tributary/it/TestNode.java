package io.tributary.it;

import io.tributary.SchemaRegistryOptions;
import io.tributary.StreamsApps;
import io.tributary.TributaryNode;
import io.tributary.bridge.EmbeddedKafkaSettings;
import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.TopicSettings;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.testing.SharedKafka;
import io.tributary.mqtt.auth.Authenticator;
import io.tributary.mqtt.protocol.ProtocolSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A broker node for integration tests, on the shared in-process Kafka, with topics of its own. */
final class TestNode implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    /**
     * Run the nodes in routed mode (each with the fan-out app): {@code -Dtributary.test.routed=true}, which the
     * build's second integration-test run sets, so that the multi-node tests pass in both modes.
     */
    static final boolean ROUTED = Boolean.getBoolean("tributary.test.routed");

    private static Path tempStateDir() {
        try {
            Path dir = java.nio.file.Files.createTempDirectory("tributary-streams-");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    final TributaryNode node;
    final TopicSettings topics;
    private final String nodeId;

    private TestNode(TributaryNode node, TopicSettings topics, String nodeId) {
        this.node = node;
        this.topics = topics;
        this.nodeId = nodeId;
    }

    String nodeId() {
        return nodeId;
    }

    static Builder builder() {
        return new Builder();
    }

    static final class Builder {
        private List<MappingRule> mapping = List.of();
        private String bootstrapServers;
        private Authenticator authenticator = Authenticator.allowAll();
        private ProtocolSettings protocol = ProtocolSettings.defaults();
        private long maxInflightBytes = KafkaSettings.DEFAULT_MAX_INFLIGHT_BYTES;
        private Map<String, String> producer = Map.of();
        private TopicSettings topics;
        private int metricsPort;
        private StreamsApps streams = new StreamsApps(tempStateDir(), false, java.time.Duration.ofMillis(200), ROUTED,
                null, null, Map.of());

        /** Run the retained-state app in the node (its state in {@code stateDir}). */
        Builder retainedApp(Path stateDir) {
            this.streams = new StreamsApps(stateDir, true, java.time.Duration.ofMillis(200), streams.fanout(),
                    streams.analytics(), streams.presence(), Map.of());
            return this;
        }

        /** Run the analytics and presence apps in the node, with these analytics settings. */
        Builder analyticsAndPresence(io.tributary.streams.analytics.AnalyticsSettings analytics,
                                     io.tributary.streams.presence.PresenceSettings presence) {
            this.streams = new StreamsApps(streams.stateDir(), streams.retained(), streams.retainedExpiryCheck(),
                    streams.fanout(), analytics, presence, Map.of());
            return this;
        }

        /** Serve /metrics on a free port. */
        Builder metrics() {
            this.metricsPort = io.tributary.bridge.kafka.EmbeddedKafka.freeLoopbackPorts(1)[0];
            return this;
        }

        /** The data-contract topics to use: give two nodes the same ones and they form one broker. */
        Builder topics(TopicSettings topics) {
            this.topics = topics;
            return this;
        }

        Builder mapping(List<MappingRule> rules) {
            this.mapping = rules;
            return this;
        }

        /** Kafka to use; the shared broker's normal listener by default. */
        Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        Builder authenticator(Authenticator authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        Builder maxInflightBytes(long bytes) {
            this.maxInflightBytes = bytes;
            return this;
        }

        Builder producer(Map<String, String> producer) {
            this.producer = producer;
            return this;
        }

        TestNode start() {
            TopicSettings topics = this.topics != null ? this.topics : freshTopics();
            String servers = bootstrapServers != null ? bootstrapServers : SharedKafka.bootstrapServers();
            KafkaSettings kafka = new KafkaSettings(servers, topics,
                    EmbeddedKafkaSettings.defaults(Path.of("unused")), maxInflightBytes, producer, Map.of(), Map.of());
            String nodeId = "test-node-" + COUNTER.incrementAndGet();
            TributaryNode node = TributaryNode.start(new TributaryNode.Settings(nodeId, kafka, mapping,
                    protocol, "127.0.0.1", 0, 2, true, authenticator, "127.0.0.1", metricsPort, streams, ROUTED,
                    SchemaRegistryOptions.embeddedOnAnyPort(topics.messages() + ".schemas")));
            return new TestNode(node, topics, nodeId);
        }
    }

    /** Topics no other test uses. */
    static TopicSettings freshTopics() {
        String prefix = "it" + COUNTER.incrementAndGet() + "-" + System.nanoTime() % 100000 + ".";
        return new TopicSettings(prefix + "messages", prefix + "retained", prefix + "sessions",
                prefix + "subscriptions", prefix + "events", prefix + "deliveries", prefix + "dead-letter", 3, (short) 1, -1L);
    }

    int port() {
        return node.mqttAddress().getPort();
    }

    String url() {
        return "tcp://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        node.close();
    }
}
