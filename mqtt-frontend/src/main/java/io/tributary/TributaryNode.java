package io.tributary;

import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.admin.TopicAdministrator;
import io.tributary.bridge.delivery.KafkaMessageFeed;
import io.tributary.bridge.delivery.KafkaSharedFeed;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.kafka.EmbeddedKafka;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicMapper;
import io.tributary.bridge.publish.KafkaMessagePublisher;
import io.tributary.bridge.delivery.KafkaMessageReplay;
import io.tributary.bridge.events.KafkaClientEvents;
import io.tributary.bridge.delivery.MessageFeed;
import io.tributary.bridge.format.PayloadCodec;
import io.tributary.bridge.format.PayloadCodecs;
import io.tributary.bridge.registry.EmbeddedSchemaRegistry;
import io.tributary.bridge.registry.SchemaRegistrySettings;
import io.tributary.bridge.retained.KafkaRetainedStore;
import io.tributary.schemas.registry.ConfluentAvroSerdeConfig;
import io.tributary.schemas.registry.HttpSchemaRegistryClient;
import io.tributary.schemas.registry.RegistrySettings;
import io.tributary.bridge.routing.KafkaSubscriptionRouting;
import io.tributary.bridge.routing.RoutedMessageFeed;
import io.tributary.bridge.routing.SubscriptionRouting;
import java.util.function.LongSupplier;
import io.tributary.bridge.TopicSettings;
import io.tributary.streams.AppTopics;
import io.tributary.streams.StreamsRunner;
import io.tributary.streams.analytics.AnalyticsApp;
import io.tributary.streams.analytics.AnalyticsSettings;
import io.tributary.streams.analytics.AnalyticsTopology;
import io.tributary.streams.fanout.FanoutSettings;
import io.tributary.streams.fanout.FanoutTopology;
import io.tributary.streams.presence.PresenceApp;
import io.tributary.streams.presence.PresenceSettings;
import io.tributary.streams.presence.PresenceTopology;
import java.util.ArrayList;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.Topology;
import io.tributary.streams.retained.RetainedTopology;
import io.tributary.streams.retained.RetainedSettings;
import org.apache.kafka.streams.StreamsConfig;
import io.tributary.bridge.session.KafkaSessionStore;
import io.tributary.bridge.session.SessionStore;
import io.tributary.bridge.topic.SubscriptionTree;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.metrics.MetricsEndpoint;
import io.tributary.metrics.NodeMetrics;
import io.tributary.mqtt.auth.Authenticator;
import io.tributary.mqtt.delivery.LocalRouter;
import io.tributary.mqtt.delivery.SharedSubscriptions;
import io.tributary.mqtt.delivery.Subscriber;
import io.tributary.mqtt.delivery.Subscription;
import io.tributary.mqtt.protocol.BrokerContext;
import io.tributary.mqtt.protocol.ProtocolMetrics;
import io.tributary.mqtt.protocol.ProtocolSettings;
import io.tributary.mqtt.server.MqttServer;
import io.tributary.mqtt.session.ClientRegistry;
import io.tributary.mqtt.session.SessionTimers;
import java.time.Duration;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Tributary broker node: the embedded Kafka (when no cluster is configured), the data-contract topics,
 * the Kafka publisher and the MQTT listener, started in that order and closed in reverse.
 */
public final class TributaryNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TributaryNode.class);

    /** QoS of records that other Kafka producers write into message topics (they carry no mqtt.qos header). */
    static final int FOREIGN_RECORD_QOS = 1;
    /** How often the node looks for wills and expiries due among the offline sessions it looks after. */
    static final Duration SESSION_TIMER_TICK = Duration.ofSeconds(1);
    /** How long a start waits for the retained topic to be read before it serves anyway. */
    static final Duration RETAINED_START_TIMEOUT = Duration.ofSeconds(60);
    /**
     * A node does not wait for its Streams apps to run: after a crash their group waits for the session timeout
     * of the dead member before it gives out the tasks, and the node serves meanwhile.
     */
    static final Duration STREAMS_START_TIMEOUT = Duration.ZERO;
    /** How long a start waits for Kafka to create the topics of the Streams apps. */
    static final Duration STREAMS_TOPICS_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Everything a node needs, already validated.
     *
     * @param nodeId            stable identity of this node
     * @param kafka             Kafka connection and topics; blank bootstrap servers start the embedded broker
     * @param mapping           MQTT topic filter -> Kafka topic rules, first match wins
     * @param protocol          MQTT limits
     * @param mqttHost          address to listen on
     * @param mqttPort          port to listen on (0: any free port)
     * @param eventLoopThreads  0 = number of cores
     * @param epoll             use native epoll when available
     * @param authenticator     who may connect
     * @param metricsHost       address of the Prometheus endpoint
     * @param metricsPort       its port; 0 turns it off
     * @param streams           the Kafka Streams apps this node runs in its JVM
     * @param routed            routed mode (the fan-out app routes messages to nodes) instead of broadcast
     * @param schemaRegistry    the registry of the rules with format avro or envelope
     */
    public record Settings(
            String nodeId,
            KafkaSettings kafka,
            List<MappingRule> mapping,
            ProtocolSettings protocol,
            String mqttHost,
            int mqttPort,
            int eventLoopThreads,
            boolean epoll,
            Authenticator authenticator,
            String metricsHost,
            int metricsPort,
            StreamsApps streams,
            boolean routed,
            SchemaRegistryOptions schemaRegistry) {

        public Settings {
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(kafka, "kafka");
            mapping = List.copyOf(mapping);
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(mqttHost, "mqttHost");
            Objects.requireNonNull(authenticator, "authenticator");
            Objects.requireNonNull(streams, "streams");
            Objects.requireNonNull(schemaRegistry, "schemaRegistry");
        }
    }

    private final Settings settings;
    private final ProtocolMetrics metrics = new ProtocolMetrics();
    private EmbeddedKafka embeddedKafka;
    private String bootstrapServers;
    private KafkaMessagePublisher publisher;
    private KafkaRetainedStore retained;
    private EmbeddedSchemaRegistry embeddedRegistry;
    private HttpSchemaRegistryClient registryClient;
    private KafkaClientEvents events;
    private final List<StreamsRunner> streamsApps = new ArrayList<>();
    private MessageFeed feed;
    private LongSupplier feedRecordsSkipped;
    private KafkaSubscriptionRouting subscriptionRouting;
    private KafkaMessageReplay replay;
    private SessionStore sessions;
    private SessionTimers timers;
    private SharedSubscriptions shared;
    private MqttServer server;
    private AutoCloseable meters;
    private MetricsEndpoint metricsEndpoint;
    private InetSocketAddress mqttAddress;

    private TributaryNode(Settings settings) {
        this.settings = settings;
    }

    /** Starts a node; on failure everything already started is stopped again and the exception is thrown. */
    public static TributaryNode start(Settings settings) {
        TributaryNode node = new TributaryNode(settings);
        try {
            node.startAll();
            return node;
        } catch (RuntimeException | Error e) {
            node.close();
            throw e;
        } catch (InterruptedException e) {
            node.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    private void startAll() throws InterruptedException {
        KafkaSettings kafka = settings.kafka();
        if (kafka.useEmbedded()) {
            embeddedKafka = new EmbeddedKafka(kafka.embedded()).start();
            kafka = kafka.withBootstrapServers(embeddedKafka.bootstrapServers());
        }
        bootstrapServers = kafka.bootstrapServers();
        TopicMapper rules = new TopicMapper(settings.mapping(), kafka.topics().messages());
        try (TopicAdministrator admin = TopicAdministrator.create(kafka)) {
            admin.ensureTopics(kafka.topics(), rules.kafkaTopics());
        }
        TopicMapper mapper = rules.withCodecs(startSchemaRegistry(kafka));
        startStreamsApps(kafka, mapper);
        publisher = new KafkaMessagePublisher(kafka, mapper);
        events = new KafkaClientEvents(kafka, settings.nodeId());
        retained = new KafkaRetainedStore(kafka, mapper, FOREIGN_RECORD_QOS);
        publisher.onRetainedWritten(retained::written);
        retained.start(RETAINED_START_TIMEOUT);
        SubscriptionTree<Subscriber, Subscription> subscriptions = new SubscriptionTree<>();
        // broadcast mode: this node reads every message topic and delivers to its own clients
        SubscriptionRouting routing = SubscriptionRouting.BROADCAST;
        if (settings.routed()) {
            // routed mode: this node reads only what the fan-out app routes to it
            RoutedMessageFeed routedFeed = new RoutedMessageFeed(kafka, mapper, FOREIGN_RECORD_QOS,
                    kafka.topics().deliveries(), settings.nodeId());
            feed = routedFeed;
            feedRecordsSkipped = routedFeed::duplicatesDropped;
            subscriptionRouting = new KafkaSubscriptionRouting(kafka, settings.nodeId(), routedFeed);
            routing = subscriptionRouting;
        } else {
            KafkaMessageFeed broadcastFeed = new KafkaMessageFeed(kafka, mapper, FOREIGN_RECORD_QOS);
            feed = broadcastFeed;
            feedRecordsSkipped = broadcastFeed::recordsSkipped;
        }
        LocalRouter router = new LocalRouter(subscriptions);
        router.start(feed.start(router));
        replay = new KafkaMessageReplay(kafka, mapper, FOREIGN_RECORD_QOS);
        replay.start();
        ClientRegistry registry = new ClientRegistry();
        sessions = new KafkaSessionStore(kafka, settings.nodeId());
        sessions.start((clientId, nodeId, epoch, cleanStart) -> {
            // every claim, ours included: a connection only yields to a claim newer than its own
            ClientRegistry.Connection connection = registry.get(clientId);
            if (connection != null) {
                connection.claimSeen(epoch, cleanStart);
            }
        });
        KafkaSettings cluster = kafka;
        shared = new SharedSubscriptions((shareName, filter) -> new KafkaSharedFeed(cluster, mapper,
                FOREIGN_RECORD_QOS, cluster.topics().messages(), shareName, TopicFilter.parse(filter)));
        BrokerContext broker = new BrokerContext(settings.protocol(), settings.authenticator(), registry,
                publisher, () -> "tributary-" + UUID.randomUUID(), metrics, subscriptions, sessions, shared, router,
                replay, retained, events, routing, settings.nodeId());
        timers = new SessionTimers(sessions, publisher, System::currentTimeMillis);
        PrometheusMeterRegistry meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        meters = NodeMetrics.bind(meterRegistry, settings.nodeId(), metrics, new NodeMetrics.Gauges(
                registry::size, subscriptions::size, publisher::inflightBytes,
                feed::recordsRead, feed::bytesRead, feedRecordsSkipped::getAsLong, shared.givenUp::sum, timers.willsPublished::sum,
                timers.sessionsExpired::sum, retained::size));
        if (settings.metricsPort() > 0) {
            metricsEndpoint = MetricsEndpoint.start(settings.metricsHost(), settings.metricsPort(), meterRegistry);
            log.info("Metrics on http://{}:{}/metrics", settings.metricsHost(),
                    metricsEndpoint.address().getPort());
        }
        server = new MqttServer(broker, settings.eventLoopThreads(), settings.epoll());
        mqttAddress = server.start(settings.mqttHost(), settings.mqttPort());
        timers.start(SESSION_TIMER_TICK);
        log.info("Tributary node '{}' ready: MQTT on {}:{}, Kafka at {}{}", settings.nodeId(),
                settings.mqttHost(), mqttAddress.getPort(), bootstrapServers,
                embeddedKafka != null ? " (embedded, data in " + kafka.embedded().dataDir() + ")" : "");
    }

    /**
     * The registry (the configured one, or the embedded one on the node's Kafka) and the payload codecs of the
     * mapping rules, whose schemas are resolved now.
     */
    private Map<String, PayloadCodec> startSchemaRegistry(KafkaSettings kafka) {
        SchemaRegistryOptions options = settings.schemaRegistry();
        String url = options.url();
        if (url == null) {
            embeddedRegistry = new EmbeddedSchemaRegistry(new SchemaRegistrySettings(options.embeddedHost(),
                    options.embeddedPort(), kafka.bootstrapServers(), options.embeddedTopic(),
                    kafka.topics().replicationFactor(), kafka.producer(), kafka.consumer(), kafka.admin())).start();
            url = embeddedRegistry.url();
            log.info("Schema Registry (embedded) on {}", url);
        }
        Map<String, Object> client = new HashMap<>(options.client());
        client.put(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL, url);
        registryClient = new HttpSchemaRegistryClient(RegistrySettings.fromConfig(client));
        return PayloadCodecs.create(settings.mapping(), registryClient, System::currentTimeMillis);
    }

    /** Starts the Kafka Streams apps this node runs (without waiting for them to run, see STREAMS_START_TIMEOUT). */
    private void startStreamsApps(KafkaSettings kafka, TopicMapper mapper) {
        StreamsApps apps = settings.streams();
        Map<String, Object> properties = new HashMap<>(apps.kafka());
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        List<String> messageTopics = List.copyOf(mapper.kafkaTopics());
        TopicSettings topics = kafka.topics();
        if (apps.retained()) {
            startApp(RetainedTopology.applicationId(topics.retained()), RetainedTopology.build(
                    new RetainedSettings(messageTopics, topics.retained(), apps.retainedExpiryCheck())),
                    List.of(), properties);
        }
        if (settings.routed() && apps.fanout()) {
            startApp(FanoutTopology.applicationId(topics.deliveries()), FanoutTopology.build(new FanoutSettings(
                    messageTopics, topics.subscriptions(), topics.deliveries(), settings.mapping(),
                    FOREIGN_RECORD_QOS, FanoutSettings.DEFAULT_WATERMARK_INTERVAL,
                    FanoutSettings.DEFAULT_WATERMARK_IDLE_INTERVAL)), List.of(), properties);
        }
        if (apps.analytics() != null) {
            AnalyticsSettings analytics = apps.analytics().withMessageTopics(messageTopics.toArray(String[]::new));
            startApp(AnalyticsApp.DEFAULT_APPLICATION_ID + "-" + analytics.topicPrefix(),
                    AnalyticsTopology.build(analytics), List.of(
                            AppTopics.topic(analytics.topicStatsTopic(), topics.partitions(),
                                    topics.replicationFactor(), false),
                            AppTopics.topic(analytics.deviceStatsTopic(), topics.partitions(),
                                    topics.replicationFactor(), false)), properties);
        }
        if (apps.presence() != null) {
            PresenceSettings presence = new PresenceSettings(topics.events(), apps.presence().presenceTopic(),
                    apps.presence().forgetAfter());
            startApp(PresenceApp.DEFAULT_APPLICATION_ID + "-" + presence.presenceTopic(),
                    PresenceTopology.build(presence), List.of(AppTopics.topic(presence.presenceTopic(),
                            topics.partitions(), topics.replicationFactor(), true)), properties);
        }
    }

    private void startApp(String applicationId, Topology topology, List<NewTopic> topics,
                          Map<String, Object> properties) {
        Map<String, Object> config = StreamsRunner.config(applicationId, properties, settings.streams().stateDir());
        AppTopics.ensure(config, topics, STREAMS_TOPICS_TIMEOUT);
        streamsApps.add(StreamsRunner.start(applicationId, topology, properties, settings.streams().stateDir(),
                STREAMS_START_TIMEOUT));
    }

    public InetSocketAddress mqttAddress() {
        return mqttAddress;
    }

    /** The Schema Registry the node uses: the configured one or its embedded one. */
    public String schemaRegistryUrl() {
        return registryClient == null ? null : registryClient.settings().urls().get(0).toString();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public ProtocolMetrics metrics() {
        return metrics;
    }

    /** Where the Prometheus endpoint listens, or null when it is off. */
    public InetSocketAddress metricsAddress() {
        return metricsEndpoint == null ? null : metricsEndpoint.address();
    }

    /** Stops accepting and disconnects clients, flushes what Kafka still has to take, then stops Kafka. */
    @Override
    public void close() {
        if (metricsEndpoint != null) {
            closeQuietly("metrics endpoint", metricsEndpoint);
            metricsEndpoint = null;
        }
        if (server != null) {
            closeQuietly("MQTT server", server);
            server = null;
        }
        if (timers != null) {
            timers.close();
            timers = null;
        }
        if (shared != null) {
            shared.close();
            shared = null;
        }
        if (sessions != null) {
            closeQuietly("session store", sessions);
            sessions = null;
        }
        if (replay != null) {
            closeQuietly("Kafka replay reader", replay);
            replay = null;
        }
        if (feed != null) {
            closeQuietly("Kafka message feed", feed);
            feed = null;
        }
        if (subscriptionRouting != null) {
            closeQuietly("subscription routing", subscriptionRouting);
            subscriptionRouting = null;
        }
        if (publisher != null) {
            closeQuietly("Kafka publisher", publisher);
            publisher = null;
        }
        if (events != null) {
            closeQuietly("client events", events);
            events = null;
        }
        if (retained != null) {
            closeQuietly("retained store", retained);
            retained = null;
        }
        for (int i = streamsApps.size() - 1; i >= 0; i--) {
            closeQuietly("Kafka Streams app " + streamsApps.get(i).applicationId(), streamsApps.get(i));
        }
        streamsApps.clear();
        if (meters != null) {
            closeQuietly("meters", meters);
            meters = null;
        }
        if (registryClient != null) {
            closeQuietly("schema registry client", registryClient);
            registryClient = null;
        }
        if (embeddedRegistry != null) {
            closeQuietly("embedded schema registry", embeddedRegistry);
            embeddedRegistry = null;
        }
        if (embeddedKafka != null) {
            closeQuietly("embedded Kafka", embeddedKafka);
            embeddedKafka = null;
        }
    }

    private static void closeQuietly(String what, AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("error while stopping the {}: {}", what, e.toString());
        }
    }
}
