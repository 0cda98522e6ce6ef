package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.tributary.bridge.TopicSettings;
import io.tributary.bridge.testing.SharedKafka;
import io.tributary.schemas.AnalyticsCodecs;
import io.tributary.schemas.analytics.DeviceWindowStats;
import io.tributary.schemas.analytics.FieldStats;
import io.tributary.schemas.analytics.Presence;
import io.tributary.streams.analytics.AnalyticsSettings;
import io.tributary.streams.analytics.DeviceSource;
import io.tributary.streams.presence.PresenceSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analytics and presence apps running in a node: devices publish JSON telemetry over MQTT, the window results
 * arrive in Kafka (Avro) and, published back, in MQTT; connections appear in and leave the presence table.
 */
class AnalyticsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path stateDir;
    private static TestNode node;
    private static TopicSettings topics;
    private static AnalyticsSettings analytics;
    private static PresenceSettings presence;

    @BeforeAll
    static void start() {
        topics = TestNode.freshTopics();
        String prefix = topics.messages().substring(0, topics.messages().length() - "messages".length());
        analytics = new AnalyticsSettings(prefix, List.of(topics.messages()), Duration.ofSeconds(2), Duration.ZERO,
                new DeviceSource.TopicLevel(1), List.of("temperature"), true, null);
        presence = new PresenceSettings(topics.events(), prefix + "presence", Duration.ofDays(1));
        node = TestNode.builder().topics(topics).retainedApp(stateDir).analyticsAndPresence(analytics, presence)
                .start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static Mqtt5BlockingClient client(String id) {
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(node.port()).buildBlocking();
        client.connect();
        return client;
    }

    private static void publish(Mqtt5BlockingClient client, String topic, String json) {
        client.publishWith().topic(topic).payload(json.getBytes(StandardCharsets.UTF_8)).qos(MqttQos.AT_LEAST_ONCE)
                .send();
    }

    @Test
    void telemetryBecomesWindowResultsInKafkaAndInMqtt() throws Exception {
        Mqtt5BlockingClient dashboard = client("dashboard");
        try (Mqtt5BlockingClient.Mqtt5Publishes results = dashboard.publishes(MqttGlobalPublishFilter.ALL)) {
            dashboard.subscribeWith().topicFilter("$analytics/dev-1/#").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient device = client("dev-1");
            if (System.currentTimeMillis() % 2000 > 1500) {
                Thread.sleep(2000 - System.currentTimeMillis() % 2000); // all three in one window
            }
            publish(device, "sensors/dev-1/env", "{\"temperature\": 20.0}");
            publish(device, "sensors/dev-1/env", "{\"temperature\": 23.5, \"humidity\": 40}");
            publish(device, "sensors/dev-1/env", "not json");
            // windows are aligned to the epoch: let this one end before anything else is published
            long windowEnd = (System.currentTimeMillis() / 2000 + 1) * 2000;
            Thread.sleep(Math.max(0, windowEnd - System.currentTimeMillis() + 50));
            // a window's result is written once stream time passes its end: later messages move it on
            long deadline = System.nanoTime() + WAIT.toNanos();
            Optional<Mqtt5Publish> published = Optional.empty();
            while (published.isEmpty() && System.nanoTime() < deadline) {
                publish(device, "sensors/dev-1/later", "{\"temperature\": 0}");
                published = results.receive(1, TimeUnit.SECONDS);
            }
            assertThat(published).as("a result on $analytics/dev-1/temperature").isPresent();
            assertThat(published.get().getTopic().toString()).isEqualTo("$analytics/dev-1/temperature");
            String json = new String(published.get().getPayloadAsBytes(), StandardCharsets.UTF_8);
            assertThat(json).contains("\"count\":2", "\"min\":20.0", "\"max\":23.5");
            device.disconnect();
        }
        dashboard.disconnect();

        List<ConsumerRecord<byte[], byte[]>> records = SharedKafka.read(SharedKafka.bootstrapServers(),
                analytics.deviceStatsTopic(), r -> "dev-1".equals(new String(r.key(), StandardCharsets.UTF_8)), 1,
                WAIT);
        DeviceWindowStats first = AnalyticsCodecs.DEVICE_WINDOW_STATS.decode(records.get(0).value());
        assertThat(first.getCount()).as("every message of the window, JSON or not").isEqualTo(3);
        assertThat(first.getWindowEnd().toEpochMilli() - first.getWindowStart().toEpochMilli()).isEqualTo(2000);
        FieldStats temperature = first.getFields().get(0);
        assertThat(temperature.getPath()).isEqualTo("temperature");
        assertThat(temperature.getCount()).isEqualTo(2);
        assertThat(temperature.getMean()).isEqualTo(21.75);
        assertThat(temperature.getLast()).isEqualTo(23.5);
    }

    @Test
    void connectionsAppearInThePresenceTableAndLeaveIt() {
        Mqtt5BlockingClient visitor = client("visitor-7");
        ConsumerRecord<byte[], byte[]> online = SharedKafka.read(SharedKafka.bootstrapServers(),
                presence.presenceTopic(), r -> "visitor-7".equals(new String(r.key(), StandardCharsets.UTF_8))
                        && r.value() != null, 1, WAIT).get(0);
        Presence entry = AnalyticsCodecs.PRESENCE.decode(online.value());
        assertThat(entry.getNodeId()).isEqualTo(node.nodeId());
        assertThat(entry.getProtocolVersion()).isEqualTo(5);
        visitor.disconnect();
        SharedKafka.read(SharedKafka.bootstrapServers(), presence.presenceTopic(),
                r -> "visitor-7".equals(new String(r.key(), StandardCharsets.UTF_8)) && r.value() == null, 1, WAIT);
    }
}
