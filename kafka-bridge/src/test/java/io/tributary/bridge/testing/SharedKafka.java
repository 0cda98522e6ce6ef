package io.tributary.bridge.testing;

import io.tributary.bridge.EmbeddedKafkaSettings;
import io.tributary.bridge.admin.TopicAdministrator;
import io.tributary.bridge.kafka.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One in-process Kafka per test JVM, started on first use in a temporary directory on free loopback ports and
 * stopped by a shutdown hook.
 *
 * <p>Besides its normal listener the broker has a second one, {@value #PROXIED_LISTENER}, whose advertised
 * address is a {@link PausableTcpProxy}: a client bootstrapped with {@link #proxiedBootstrapServers()} talks to
 * Kafka only through {@link #proxy()}, so a test can make Kafka stop answering and answer again.
 */
public final class SharedKafka {

    public static final String PROXIED_LISTENER = "PROXIED";

    private static final Object LOCK = new Object();
    private static EmbeddedKafka kafka;
    private static PausableTcpProxy proxy;
    private static Admin admin;

    private SharedKafka() {
    }

    /** The broker's normal listener, {@code 127.0.0.1:port}. */
    public static String bootstrapServers() {
        return kafka().bootstrapServers();
    }

    /** The proxied listener: every connection, also those Kafka's metadata points to, goes through the proxy. */
    public static String proxiedBootstrapServers() {
        kafka();
        return proxy.address();
    }

    /** The proxy in front of the {@value #PROXIED_LISTENER} listener. Resume it when a test paused it. */
    public static PausableTcpProxy proxy() {
        kafka();
        return proxy;
    }

    /** Starts the shared broker if needed. */
    public static EmbeddedKafka kafka() {
        synchronized (LOCK) {
            if (kafka == null) {
                start();
            }
            return kafka;
        }
    }

    /** An admin client on the shared broker, shared too (do not close it). */
    public static Admin admin() {
        synchronized (LOCK) {
            if (admin == null) {
                admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
            }
            return admin;
        }
    }

    /**
     * Creates a topic with {@code partitions} partitions (one replica) and returns once its leaders accept
     * writes; an existing topic is fine.
     */
    public static void createTopic(String name, int partitions) {
        try {
            admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name, e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name, e);
        }
        TopicAdministrator.awaitWritable(admin(), List.of(name), System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
    }

    /**
     * Reads {@code topic} from the beginning of every partition until at least {@code expectedCount} records
     * have arrived, and returns them ordered by partition, then offset.
     *
     * @throws AssertionError if fewer arrive within {@code timeout}
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expectedCount, Duration timeout) {
        return read(bootstrapServers(), topic, record -> true, expectedCount, timeout);
    }

    /**
     * Reads {@code topic} of the Kafka at {@code bootstrapServers} from the beginning of every partition until at
     * least {@code expectedCount} records {@code matching}, and returns those ordered by partition, then offset.
     * Other tests may write to the same topic: the predicate picks a test's own records.
     *
     * @throws AssertionError if fewer arrive within {@code timeout}
     */
    public static List<ConsumerRecord<byte[], byte[]>> read(String bootstrapServers, String topic,
            Predicate<ConsumerRecord<byte[], byte[]>> matching, int expectedCount, Duration timeout) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, timeout)) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < expectedCount && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (matching.test(record)) {
                        records.add(record);
                    }
                }
            }
            if (records.size() < expectedCount) {
                throw new AssertionError("expected at least " + expectedCount + " matching records in " + topic
                        + " within " + timeout + ", found " + records.size());
            }
            records.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
                    .thenComparingLong(ConsumerRecord::offset));
            return records;
        }
    }

    private static void start() {
        try {
            Path dir = Files.createTempDirectory("tributary-kafka-");
            int[] ports = EmbeddedKafka.freeLoopbackPorts(3);
            int port = ports[0];
            int controllerPort = ports[1];
            int proxiedPort = ports[2];
            PausableTcpProxy tcpProxy = new PausableTcpProxy("127.0.0.1", proxiedPort);
            Map<String, String> overrides = Map.of(
                    "listeners", EmbeddedKafka.CLIENT_LISTENER + "://127.0.0.1:" + port + ","
                            + EmbeddedKafka.CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort + ","
                            + PROXIED_LISTENER + "://127.0.0.1:" + proxiedPort,
                    "advertised.listeners", EmbeddedKafka.CLIENT_LISTENER + "://127.0.0.1:" + port + ","
                            + PROXIED_LISTENER + "://127.0.0.1:" + tcpProxy.port(),
                    "listener.security.protocol.map", EmbeddedKafka.CLIENT_LISTENER + ":PLAINTEXT,"
                            + EmbeddedKafka.CONTROLLER_LISTENER + ":PLAINTEXT," + PROXIED_LISTENER + ":PLAINTEXT",
                    // small test topics: keep the internal ones small too
                    "offsets.topic.num.partitions", "4",
                    "transaction.state.log.num.partitions", "4");
            EmbeddedKafkaSettings settings = new EmbeddedKafkaSettings(dir, "127.0.0.1", port, controllerPort,
                    60L * 60 * 1000, 256L * 1024 * 1024, 16 * 1024 * 1024, overrides);
            EmbeddedKafka started = new EmbeddedKafka(settings).start();
            kafka = started;
            proxy = tcpProxy;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(started, tcpProxy, dir), "shared-kafka-stop"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void stop(EmbeddedKafka started, PausableTcpProxy tcpProxy, Path dir) {
        synchronized (LOCK) {
            if (admin != null) {
                admin.close(Duration.ofSeconds(2));
            }
        }
        tcpProxy.close();
        started.close();
        deleteRecursively(dir);
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
