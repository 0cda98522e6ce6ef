package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.tributary.bridge.TopicSettings;
import io.tributary.bridge.kafka.EmbeddedKafka;
import io.tributary.bridge.testing.SharedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged broker (target/tributary.jar, what ./tributary runs) as its own process: it starts with the
 * embedded Kafka, serves MQTT, keeps its data across restarts and stops cleanly on SIGTERM; killed with SIGKILL,
 * it leaves no session stuck.
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
        int[] ports = EmbeddedKafka.freeLoopbackPorts(4);
        String[] args = {"--data-dir", dir.resolve("data").toString(), "--mqtt-port", String.valueOf(ports[0]),
                "--embedded-kafka-port", String.valueOf(ports[1]),
                "--set", "kafka.embedded.controller-port=" + ports[2],
                "--set", "schema-registry.embedded.port=" + ports[3], "--node-id", "launcher-test"};
        for (int run = 1; run <= 2; run++) {
            Path log = dir.resolve("run" + run + ".log");
            Process broker = launch(log, args);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> read(log).contains("ready: MQTT on") || !broker.isAlive());
                assertThat(broker.isAlive()).as(read(log)).isTrue();
                assertThat(read(log)).contains("Kafka at 127.0.0.1:" + ports[1] + " (embedded");

                org.eclipse.paho.client.mqttv3.MqttClient client = new org.eclipse.paho.client.mqttv3.MqttClient("tcp://127.0.0.1:" + ports[0], "launcher-client",
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
    void theSessionsOfANodeThatIsKilledAreLookedAfterByTheOthers(@TempDir Path dir) throws Exception {
        TopicSettings topics = TestNode.freshTopics();
        int[] ports = EmbeddedKafka.freeLoopbackPorts(2);
        int port = ports[0];
        Path log = dir.resolve("doomed.log");
        try (TestNode survivor = TestNode.builder().topics(topics).start()) {
            Process doomed = launch(log, "--kafka-bootstrap", SharedKafka.bootstrapServers(), "--mqtt-port",
                    String.valueOf(port), "--node-id", "doomed", "--data-dir", dir.toString(),
                    "--set", "kafka.topics.messages=" + topics.messages(),
                    "--set", "kafka.topics.retained=" + topics.retained(),
                    "--set", "kafka.topics.sessions=" + topics.sessions(),
                    "--set", "kafka.topics.subscriptions=" + topics.subscriptions(),
                    "--set", "kafka.topics.events=" + topics.events(),
                    "--set", "kafka.topics.deliveries=" + topics.deliveries(),
                    "--set", "kafka.topics.dead-letter=" + topics.deadLetter(),
                    "--set", "schema-registry.embedded.port=" + ports[1]);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> read(log).contains("ready: MQTT on") || !doomed.isAlive());
                assertThat(doomed.isAlive()).as(read(log)).isTrue();

                Mqtt5BlockingClient watcher = MqttClient.builder().useMqttVersion5().identifier("crash-watcher")
                        .serverHost("127.0.0.1").serverPort(survivor.port()).buildBlocking();
                watcher.connect();
                try (Mqtt5BlockingClient.Mqtt5Publishes wills = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
                    watcher.subscribeWith().topicFilter("crash/status/#").qos(MqttQos.AT_LEAST_ONCE).send();

                    // a device with a persistent session and a delayed will, on the node about to be killed
                    Mqtt5BlockingClient device = MqttClient.builder().useMqttVersion5().identifier("crash-device")
                            .serverHost("127.0.0.1").serverPort(port).buildBlocking();
                    device.connectWith().cleanStart(true).sessionExpiryInterval(300)
                            .willPublish().topic("crash/status/device").payload(bytes("offline"))
                            .qos(MqttQos.AT_LEAST_ONCE).delayInterval(1).applyWillPublish().send();
                    device.subscribeWith().topicFilter("crash/inbox").qos(MqttQos.AT_LEAST_ONCE).send();

                    doomed.destroyForcibly(); // SIGKILL: no release, no will, no goodbye
                    assertThat(doomed.waitFor(30, TimeUnit.SECONDS)).isTrue();

                    // the survivor notices the missing heartbeats and publishes the will from Kafka's state
                    Optional<Mqtt5Publish> will = wills.receive(30, TimeUnit.SECONDS);
                    assertThat(will).as("the will of the killed node's client").isPresent();
                    assertThat(new String(will.get().getPayloadAsBytes(), StandardCharsets.UTF_8))
                            .isEqualTo("offline");
                }
                watcher.publishWith().topic("crash/inbox").payload(bytes("while you were away"))
                        .qos(MqttQos.AT_LEAST_ONCE).send();

                // the device comes back on the survivor: its session, and what it missed, are there
                Mqtt5BlockingClient back = MqttClient.builder().useMqttVersion5().identifier("crash-device")
                        .serverHost("127.0.0.1").serverPort(survivor.port()).buildBlocking();
                try (Mqtt5BlockingClient.Mqtt5Publishes missed = back.publishes(MqttGlobalPublishFilter.ALL)) {
                    assertThat(back.connectWith().cleanStart(false).sessionExpiryInterval(300).send()
                            .isSessionPresent()).isTrue();
                    Optional<Mqtt5Publish> message = missed.receive(30, TimeUnit.SECONDS);
                    assertThat(message).isPresent();
                    assertThat(new String(message.get().getPayloadAsBytes(), StandardCharsets.UTF_8))
                            .isEqualTo("while you were away");
                }
                back.disconnect();
                watcher.disconnect();
            } finally {
                doomed.destroyForcibly();
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
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
