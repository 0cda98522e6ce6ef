package io.tributary.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.streams.analytics.AnalyticsApp;
import io.tributary.streams.analytics.AnalyticsSettings;
import io.tributary.streams.presence.PresenceApp;
import io.tributary.streams.presence.PresenceSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The standalone command line, up to the point where it would reach Kafka. */
class StreamsCommandTest {

    @TempDir
    Path dir;

    @Test
    void configFileGivesAppSettingsAndKafkaSettingsAndFlagsOverride() throws IOException {
        Path config = write("""
                application-id = plant-presence
                topic-prefix = plant.
                forget-offline-after = 2h
                start-timeout = 5s
                state-dir = /var/lib/ignored
                topic-partitions = 3
                kafka.bootstrap.servers = kafka-1:9092
                kafka.processing.guarantee = exactly_once_v2
                kafka.producer.linger.ms = 20
                """);
        StreamsCommand.Plan<PresenceSettings> plan = parse(new PresenceApp(), "--config", config.toString(),
                "--bootstrap-servers", "127.0.0.1:9092", "--state-dir", dir.resolve("state").toString()).plan();

        assertThat(plan.applicationId()).isEqualTo("plant-presence");
        assertThat(plan.settings()).isEqualTo(new PresenceSettings("plant.events", "plant.presence",
                Duration.ofHours(2)));
        assertThat(plan.startTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(plan.stateDir()).isEqualTo(dir.resolve("state"));
        assertThat(plan.streamsConfig())
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "plant-presence")
                .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2")
                .containsEntry("producer.linger.ms", "20")
                .containsEntry(StreamsRunner.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED, true)
                .containsEntry(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toAbsolutePath().toString());
        assertThat(plan.topics()).extracting(NewTopic::name).containsExactly("plant.events", "plant.presence");
        assertThat(plan.topics()).extracting(t -> t.configs().get("cleanup.policy"))
                .containsExactly("delete", "compact");
        assertThat(plan.topics()).extracting(t -> t.numPartitions()).containsOnly(3);
    }

    @Test
    void defaultsNeedOnlyBootstrapServers() {
        StreamsCommand.Plan<AnalyticsSettings> plan =
                parse(new AnalyticsApp(), "--bootstrap-servers", "127.0.0.1:9092").plan();
        assertThat(plan.applicationId()).isEqualTo("tributary-analytics");
        assertThat(plan.settings()).isEqualTo(AnalyticsSettings.defaults());
        assertThat(plan.stateDir()).isEqualTo(Path.of("data", "streams"));
        assertThat(plan.topics()).extracting(NewTopic::name)
                .containsExactly("mqtt.analytics.topics", "mqtt.analytics.devices");
        assertThat(plan.topics()).allSatisfy(t -> {
            assertThat(t.numPartitions()).isEqualTo(-1); // the broker's default
            assertThat(t.configs()).containsEntry("cleanup.policy", "delete");
        });
    }

    @Test
    void createTopicsFalseCreatesNone() throws IOException {
        Path config = write("create-topics = false\n");
        assertThat(parse(new AnalyticsApp(), "--bootstrap-servers", "k:9092", "--config", config.toString())
                .plan().topics()).isEmpty();
    }

    @Test
    void anUnknownSettingFailsTheStartNamingIt() throws IOException {
        Path config = write("window-sise = 5m\n");
        assertThatThrownBy(() -> parse(new AnalyticsApp(), "--bootstrap-servers", "k:9092", "--config",
                config.toString()).plan())
                .isInstanceOf(SettingException.class)
                .hasMessageContaining("window-sise")
                .hasMessageContaining(config.toString());
    }

    @Test
    void missingBootstrapServersFailsNamingIt() {
        assertThatThrownBy(() -> parse(new PresenceApp()).plan())
                .isInstanceOf(SettingException.class)
                .hasMessageContaining("bootstrap.servers");
    }

    @Test
    void invalidSettingsFailNamingThem() throws IOException {
        assertPlanFails("topic-partitions = 0\n", "topic-partitions");
        assertPlanFails("start-timeout = soon\n", "start-timeout");
        assertPlanFails("create-topics = maybe\n", "create-topics");
        assertPlanFails("window-size = 0s\n", "window-size");
        assertPlanFails("kafka.processing.guarantee = sometimes\n", "processing.guarantee");
    }

    @Test
    void commandLineExitsWithOneAndAMessageForABadConfigFile() {
        StringWriter err = new StringWriter();
        PrintStreamCapture capture = PrintStreamCapture.stderr();
        int code;
        try {
            CommandLine cli = new CommandLine(new PresenceApp());
            cli.setErr(new PrintWriter(err));
            code = cli.execute("--config", dir.resolve("missing.properties").toString());
        } finally {
            capture.close();
        }
        assertThat(code).isEqualTo(1);
        assertThat(capture.text()).contains("tributary-presence", "missing.properties");
    }

    @Test
    void helpListsTheOptions() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new AnalyticsApp());
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("--help")).isZero();
        assertThat(out.toString()).contains("--bootstrap-servers", "--config", "--state-dir");
    }

    private void assertPlanFails(String properties, String named) throws IOException {
        Path config = write(properties);
        assertThatThrownBy(() -> parse(new AnalyticsApp(), "--bootstrap-servers", "k:9092", "--config",
                config.toString()).plan())
                .isInstanceOf(SettingException.class)
                .hasMessageContaining(named);
    }

    private static <C extends StreamsCommand<?>> C parse(C command, String... args) {
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private Path write(String properties) throws IOException {
        Path file = Files.createTempFile(dir, "app", ".properties");
        Files.writeString(file, properties);
        return file;
    }

    /** Captures System.err, which the command prints its failure to. */
    private static final class PrintStreamCapture implements AutoCloseable {
        private final java.io.PrintStream original = System.err;
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        static PrintStreamCapture stderr() {
            PrintStreamCapture capture = new PrintStreamCapture();
            System.setErr(new java.io.PrintStream(capture.bytes, true, java.nio.charset.StandardCharsets.UTF_8));
            return capture;
        }

        String text() {
            return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            System.setErr(original);
        }
    }
}
