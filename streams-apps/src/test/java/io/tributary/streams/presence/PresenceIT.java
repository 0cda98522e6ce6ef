package io.tributary.streams.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.bridge.testing.SharedKafka;
import io.tributary.schemas.AnalyticsCodecs;
import io.tributary.schemas.AvroSerde;
import io.tributary.schemas.analytics.ClientEvent;
import io.tributary.schemas.analytics.ClientEventKind;
import io.tributary.schemas.analytics.Presence;
import io.tributary.streams.StreamsRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The presence app on a real Kafka, started as the standalone command starts it (config file, topic creation,
 * {@link StreamsRunner}), read back from the presence table by a real consumer.
 */
class PresenceIT {

    @TempDir
    Path dir;

    @Test
    void keepsThePresenceTableThroughATakeoverAndADisconnect() throws Exception {
        String prefix = "it-presence-" + System.nanoTime() + ".";
        Path config = dir.resolve("presence.properties");
        Files.writeString(config, "topic-prefix = " + prefix + "\n"
                + "application-id = " + prefix + "app\n"
                + "topic-partitions = 2\n"
                + "kafka.commit.interval.ms = 50\n");
        PresenceApp app = new PresenceApp();
        new CommandLine(app).parseArgs("--config", config.toString(), "--bootstrap-servers",
                SharedKafka.bootstrapServers(), "--state-dir", dir.resolve("state").toString());

        try (StreamsRunner runner = app.start();
             KafkaProducer<String, ClientEvent> producer = new KafkaProducer<>(
                     Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()),
                     new StringSerializer(), new AvroSerde<>(AnalyticsCodecs.CLIENT_EVENT).serializer())) {
            assertThat(runner.state()).isEqualTo(KafkaStreams.State.RUNNING);
            String events = prefix + "events";
            Instant t = Instant.now();
            send(producer, events, event("dev-1", "node-a", ClientEventKind.CONNECTED, 7, t));
            send(producer, events, event("dev-2", "node-a", ClientEventKind.CONNECTED, 3, t));
            // dev-1 reconnects to node-b, and node-a reports the end of the old connection afterwards
            send(producer, events, event("dev-1", "node-b", ClientEventKind.CONNECTED, 9, t.plusMillis(10)));
            send(producer, events, event("dev-1", "node-a", ClientEventKind.DISCONNECTED, 7, t.plusMillis(20)));
            send(producer, events, event("dev-2", "node-a", ClientEventKind.DISCONNECTED, 3, t.plusMillis(30)));
            producer.flush();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Map<String, Presence> table = table(prefix + "presence");
                assertThat(table).containsOnlyKeys("dev-1", "dev-2");
                assertThat(table.get("dev-1")).isEqualTo(new Presence("dev-1", "node-b", t.plusMillis(10), 9L,
                        "user-dev-1", 5, "127.0.0.1:40000"));
                assertThat(table.get("dev-2")).as("dev-2 went offline: a tombstone").isNull();
            });
            List<ConsumerRecord<byte[], byte[]>> log = SharedKafka.read(SharedKafka.bootstrapServers(),
                    prefix + "presence", r -> true, 4, Duration.ofSeconds(10));
            assertThat(log).as("dev-1 twice online, dev-2 online then offline; the stale DISCONNECTED wrote nothing")
                    .hasSize(4);
        }
    }

    /** The table as a compacted topic's reader sees it: the last value per key, null for a tombstone. */
    private static Map<String, Presence> table(String topic) {
        Map<String, Presence> table = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : SharedKafka.read(SharedKafka.bootstrapServers(), topic, r -> true,
                1, Duration.ofSeconds(2))) {
            table.put(new String(r.key(), StandardCharsets.UTF_8),
                    r.value() == null ? null : AnalyticsCodecs.PRESENCE.decode(r.value()));
        }
        return table;
    }

    private static void send(KafkaProducer<String, ClientEvent> producer, String topic, ClientEvent event) {
        producer.send(new ProducerRecord<>(topic, event.getClientId(), event));
    }

    private static ClientEvent event(String clientId, String node, ClientEventKind kind, long epoch, Instant at) {
        return ClientEvent.newBuilder().setClientId(clientId).setNodeId(node).setKind(kind).setAt(at)
                .setSessionEpoch(epoch).setUsername("user-" + clientId).setProtocolVersion(5)
                .setRemoteAddress("127.0.0.1:40000").build();
    }
}
