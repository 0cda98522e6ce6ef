package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.bridge.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged broker (target/tributary.jar, what ./tributary runs) as its own process: it starts with the
 * embedded Kafka, serves MQTT, keeps its data across restarts and stops cleanly on SIGTERM.
 */
class LauncherIT {

    private static final Path JAR = Path.of("target", "tributary.jar");

    private static Process launch(Path log, String... args) throws IOException {
        assertThat(JAR).as("packaged by mvn package").exists();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-jar",
                JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("TRIBUTARY_"));
        return builder.start();
    }

    private static String read(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @Test
    void embeddedDefaultServesAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
        int[] ports = EmbeddedKafka.freeLoopbackPorts(3);
        String[] args = {"--data-dir", dir.resolve("data").toString(), "--mqtt-port", String.valueOf(ports[0]),
                "--embedded-kafka-port", String.valueOf(ports[1]),
                "--set", "kafka.embedded.controller-port=" + ports[2], "--node-id", "launcher-test"};
        for (int run = 1; run <= 2; run++) {
            Path log = dir.resolve("run" + run + ".log");
            Process broker = launch(log, args);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> read(log).contains("ready: MQTT on") || !broker.isAlive());
                assertThat(broker.isAlive()).as(read(log)).isTrue();
                assertThat(read(log)).contains("Kafka at 127.0.0.1:" + ports[1] + " (embedded");

                MqttClient client = new MqttClient("tcp://127.0.0.1:" + ports[0], "launcher-client",
                        new MemoryPersistence());
                client.connect(new MqttConnectOptions());
                client.publish("launcher/run", ("run " + run).getBytes(StandardCharsets.UTF_8), 1, false);
                client.disconnect();
                client.close();

                // both records are there on the second run: the data survived the restart
                assertThat(Records.await("127.0.0.1:" + ports[1], "mqtt.messages",
                        r -> "launcher/run".equals(Records.key(r)), run, Duration.ofSeconds(30)))
                        .extracting(Records::value).startsWith("run 1");
            } finally {
                broker.destroy(); // SIGTERM, as Ctrl-C or a service manager would
                assertThat(broker.waitFor(60, TimeUnit.SECONDS)).as("stops within 60 s").isTrue();
            }
            // 143 = 128 + SIGTERM: the JVM reports the signal, after the shutdown hook stopped everything
            assertThat(broker.exitValue()).as(read(log)).isIn(0, 143);
            assertThat(read(log)).contains("shutting down", "Embedded Kafka on 127.0.0.1:" + ports[1] + " stopped",
                    "stopped");
        }
    }

    @Test
    void badSettingStopsTheStartNamingIt(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("bad.log");
        Process broker = launch(log, "--mqtt-port", "70000", "--data-dir", dir.toString());
        assertThat(broker.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(broker.exitValue()).isEqualTo(1);
        assertThat(read(log)).contains("mqtt.port", "70000");
    }

    @Test
    void helpListsTheOptions(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("help.log");
        Process broker = launch(log, "--help");
        assertThat(broker.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(broker.exitValue()).isZero();
        assertThat(read(log)).contains("--config", "--data-dir", "--mqtt-port", "--kafka-bootstrap",
                "--embedded-kafka-port", "--node-id");
    }
}
