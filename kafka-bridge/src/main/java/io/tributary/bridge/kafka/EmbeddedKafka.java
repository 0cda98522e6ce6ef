package io.tributary.bridge.kafka;

import io.tributary.bridge.EmbeddedKafkaSettings;
import io.tributary.bridge.publish.KafkaMessagePublisher;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A single-node KRaft Kafka broker (combined broker and controller) running in this JVM, built from
 * Kafka's production classes. Storage is formatted on the first start; later starts reuse it, so the
 * data survives a restart of the process.
 *
 * <p>Kafka's threads are not daemons: always {@link #close()} it (a shutdown hook is a good place).
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    public static final int NODE_ID = 1;
    public static final String CLIENT_LISTENER = "PLAINTEXT";
    public static final String CONTROLLER_LISTENER = "CONTROLLER";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    private static final String META_PROPERTIES = "meta.properties";

    private final EmbeddedKafkaSettings settings;
    private final Duration startTimeout;
    private KafkaRaftServer server;

    public EmbeddedKafka(EmbeddedKafkaSettings settings) {
        this(settings, DEFAULT_START_TIMEOUT);
    }

    public EmbeddedKafka(EmbeddedKafkaSettings settings, Duration startTimeout) {
        this.settings = settings;
        this.startTimeout = startTimeout;
    }

    /**
     * Formats the storage if needed, starts the broker and returns once it answers clients.
     *
     * @throws IllegalStateException if a port is taken, the broker does not start or does not answer in time
     */
    public synchronized EmbeddedKafka start() {
        if (server != null) {
            return this;
        }
        long began = System.nanoTime();
        checkPortFree(settings.port(), "kafka.embedded.port");
        checkPortFree(settings.controllerPort(), "kafka.embedded.controller-port");

        Map<String, String> props = brokerProperties(settings);
        KafkaConfig config = new KafkaConfig(props, false);
        formatIfNeeded(props);

        KafkaRaftServer raft = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            raft.startup();
        } catch (RuntimeException e) {
            stopQuietly(raft);
            throw startFailure(e);
        }
        server = raft;
        try {
            awaitClients();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("Embedded Kafka listening on {} (data in {}) after {} ms", bootstrapServers(), settings.dataDir(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        return this;
    }

    /** {@code host:port} of the client listener. */
    public String bootstrapServers() {
        return advertisedHost(settings.host()) + ":" + settings.port();
    }

    public EmbeddedKafkaSettings settings() {
        return settings;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Stops the broker and waits until its threads have ended. Idempotent. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        KafkaRaftServer raft = server;
        server = null;
        stopQuietly(raft);
        LOG.info("Embedded Kafka on {} stopped", bootstrapServers());
    }

    /**
     * The broker configuration for {@code settings}: our single-node settings, then the overrides.
     * Exposed so that the effective configuration can be logged or documented.
     */
    public static Map<String, String> brokerProperties(EmbeddedKafkaSettings settings) {
        String host = settings.host();
        String advertised = advertisedHost(host);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + advertised + ":" + settings.controllerPort());
        p.put("listeners", CLIENT_LISTENER + "://" + host + ":" + settings.port() + ","
                + CONTROLLER_LISTENER + "://" + host + ":" + settings.controllerPort());
        p.put("advertised.listeners", CLIENT_LISTENER + "://" + advertised + ":" + settings.port());
        p.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("log.dirs", settings.dataDir().toAbsolutePath().toString());
        // one node: internal topics cannot have more than one replica
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // topics are created by TopicAdministrator with the settings of the data contract
        p.put("auto.create.topics.enable", "false");
        // without limits a few minutes of load fill the disk
        p.put("log.retention.ms", Long.toString(settings.retentionMs()));
        p.put("log.retention.bytes", Long.toString(settings.retentionBytes()));
        p.put("log.segment.bytes", Integer.toString(settings.segmentBytes()));
        // room for an MQTT packet at the largest mqtt.max-packet-size default (1 MiB) plus key and headers
        p.put("message.max.bytes", Integer.toString(KafkaMessagePublisher.MAX_REQUEST_SIZE));
        p.putAll(settings.brokerOverrides());
        return p;
    }

    /**
     * Free TCP ports on the loopback interface, all distinct. KRaft voters need fixed ports, so tests pick
     * them here; another process could still take one before the broker binds it.
     */
    public static int[] freeLoopbackPorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>(count);
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find " + count + " free loopback ports", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // a port we only probed
                }
            }
        }
    }

    private void formatIfNeeded(Map<String, String> props) {
        Path dataDir = settings.dataDir().toAbsolutePath();
        if (Files.exists(dataDir.resolve(META_PROPERTIES))) {
            LOG.debug("Kafka storage in {} already formatted", dataDir);
            return;
        }
        try {
            Files.createDirectories(dataDir);
            String clusterId = Uuid.randomUuid().toString();
            Formatter formatter = new Formatter()
                    .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(props.getOrDefault("controller.listener.names", CONTROLLER_LISTENER)
                            .split(",")[0].trim())
                    .setMetadataLogDirectory(dataDir.toString())
                    .addDirectory(dataDir.toString());
            formatter.run();
            LOG.info("Formatted Kafka storage in {} (cluster id {})", dataDir, clusterId);
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private void awaitClients() {
        Map<String, Object> adminProps = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.max(startTimeout.toMillis(), 1000));
        long deadline = System.nanoTime() + startTimeout.toNanos();
        try (Admin admin = Admin.create(adminProps)) {
            while (true) {
                long left = deadline - System.nanoTime();
                try {
                    if (!admin.describeCluster().nodes().get(Math.max(left, 1), TimeUnit.NANOSECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException e) {
                    LOG.debug("Embedded Kafka not ready yet: {}", e.getCause().toString());
                } catch (TimeoutException e) {
                    // reported below
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("embedded Kafka on " + bootstrapServers()
                            + " did not answer clients within " + startTimeout.toMillis() + " ms");
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for embedded Kafka to start", e);
        }
    }

    private RuntimeException startFailure(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
                return new IllegalStateException("embedded Kafka cannot listen on " + settings.host() + ": a port is"
                        + " taken (kafka.embedded.port=" + settings.port() + ", kafka.embedded.controller-port="
                        + settings.controllerPort() + "): " + t.getMessage(), e);
            }
        }
        return new IllegalStateException("embedded Kafka failed to start (data in " + settings.dataDir() + "): "
                + e.getMessage(), e);
    }

    private void checkPortFree(int port, String setting) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(settings.host(), port));
        } catch (IOException e) {
            throw new IllegalStateException("embedded Kafka cannot listen on " + settings.host() + ":" + port
                    + ", the port is taken or the address is not local; change " + setting + " (" + e.getMessage()
                    + ")", e);
        }
    }

    private static void stopQuietly(KafkaRaftServer raft) {
        try {
            raft.shutdown();
        } catch (RuntimeException e) {
            LOG.warn("Error while stopping embedded Kafka", e);
        }
        try {
            raft.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Error while waiting for embedded Kafka to stop", e);
        }
    }

    /** A wildcard bind address cannot be advertised; clients on this machine reach it on loopback. */
    private static String advertisedHost(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.isEmpty() ? "127.0.0.1" : host;
    }
}
