package io.tributary;

import io.tributary.config.ConfigException;
import io.tributary.config.ConfigLoader;
import io.tributary.config.AuthConfig;
import io.tributary.config.MqttConfig;
import io.tributary.config.StreamsAppsConfig;
import io.tributary.streams.analytics.AnalyticsSettings;
import io.tributary.streams.analytics.DeviceSource;
import io.tributary.streams.presence.PresenceSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import io.tributary.config.TributaryConfig;
import io.tributary.mqtt.auth.Authenticator;
import io.tributary.mqtt.auth.PasswordFileAuthenticator;
import io.tributary.mqtt.protocol.ProtocolSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.concurrent.CountDownLatch;

/** The {@code tributary} command: loads the configuration, then runs the broker node. */
public final class Tributary {

    private static final Logger LOG = LoggerFactory.getLogger(Tributary.class);

    private Tributary() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, Charset.defaultCharset());
        ConfigLoader.Result result;
        try {
            result = ConfigLoader.load(args, System.getenv(), out);
        } catch (ConfigException e) {
            System.err.println("tributary: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (result instanceof ConfigLoader.Result.Exit exit) {
            out.flush();
            System.exit(exit.code());
            return;
        }
        TributaryConfig config = ((ConfigLoader.Result.Run) result).config();
        LOG.info("effective configuration (secrets masked):\n{}", config.toYaml().stripTrailing());
        System.exit(run(config));
    }

    /**
     * Runs the broker node with {@code config} until the JVM is asked to stop (Ctrl-C, SIGTERM): then the node
     * stops accepting, disconnects its clients, flushes what Kafka still has to take and stops Kafka.
     *
     * @return the process exit status: 0 after a clean stop, 1 when the node cannot start
     */
    static int run(TributaryConfig config) {
        TributaryNode node;
        try {
            node = TributaryNode.start(nodeSettings(config));
        } catch (RuntimeException e) {
            LOG.error("cannot start: {}", e.getMessage(), e);
            System.err.println("tributary: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down");
            node.close();
            LOG.info("stopped");
            stopped.countDown();
        }, "tributary-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** The node's settings from the configuration; fails naming the setting when they cannot work together. */
    static TributaryNode.Settings nodeSettings(TributaryConfig config) {
        MqttConfig mqtt = config.mqtt();
        ProtocolSettings protocol = new ProtocolSettings(mqtt.maxPacketSize(), mqtt.maxClientIdLength(),
                mqtt.connectTimeout(), mqtt.maxKeepAlive(), mqtt.receiveMaximum(), mqtt.topicAliasMaximum(),
                mqtt.maxInflightPerConnection(), mqtt.maxQueuedMessages(), mqtt.maxQueuedBytes(),
                mqtt.maxSessionExpiry(), mqtt.sessionCheckpointInterval());
        return new TributaryNode.Settings(config.nodeId(), config.kafkaSettings(), config.mappingRules(), protocol,
                mqtt.host(), mqtt.port(), mqtt.eventLoopThreads(), mqtt.epoll(), authenticator(config.auth()),
                config.metrics().host(), config.metrics().port(),
                streamsApps(config),
                config.routing().routed(),
                new SchemaRegistryOptions(config.schemaRegistry().url(), config.schemaRegistry().client(),
                        config.schemaRegistry().embedded().host(), config.schemaRegistry().embedded().port(),
                        config.schemaRegistry().embedded().topic()));
    }

    private static StreamsApps streamsApps(TributaryConfig config) {
        StreamsAppsConfig streams = config.streams();
        AnalyticsSettings analytics = null;
        StreamsAppsConfig.AnalyticsAppConfig a = streams.analytics();
        if (a.enabled()) {
            List<String> fields = a.fields() == null ? List.of() : Arrays.stream(a.fields().split(","))
                    .map(String::trim).filter(f -> !f.isEmpty()).toList();
            try {
                // the message topics are the node's own: it sets them when it starts the app
                analytics = new AnalyticsSettings(a.topicPrefix(), List.of(config.kafka().topics().messages()),
                        a.window(), a.grace(), DeviceSource.parse(a.device()), fields, a.publishBack(), null);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("invalid configuration: streams.analytics: " + e.getMessage());
            }
        }
        PresenceSettings presence = streams.presence().enabled()
                ? new PresenceSettings(config.kafka().topics().events(), streams.presence().topic(),
                        Duration.ofDays(1))
                : null;
        return new StreamsApps(config.streamsStateDir(), streams.retained().enabled(),
                streams.retained().expiryCheckInterval(), streams.fanout().enabled(), analytics, presence,
                streams.kafka());
    }

    private static Authenticator authenticator(AuthConfig auth) {
        if (auth.passwordFile() != null) {
            try {
                return PasswordFileAuthenticator.load(auth.passwordFile(), auth.allowAnonymous());
            } catch (RuntimeException e) {
                throw new ConfigException("invalid configuration: auth.password-file: " + e.getMessage());
            }
        }
        if (!auth.allowAnonymous()) {
            throw new ConfigException("invalid configuration: auth.allow-anonymous is false but auth.password-file"
                    + " is not set, so no client could connect");
        }
        return Authenticator.allowAll();
    }
}
