package io.tributary.streams.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.tributary.bridge.publish.MessageHeaders;
import io.tributary.bridge.testing.SharedKafka;
import io.tributary.schemas.AnalyticsCodecs;
import io.tributary.schemas.analytics.DeviceWindowStats;
import io.tributary.schemas.analytics.FieldStats;
import io.tributary.schemas.analytics.TopicWindowStats;
import io.tributary.streams.AppTopics;
import io.tributary.streams.StreamsRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The analytics app on a real Kafka, started by {@link StreamsRunner}, its results read by a real consumer. */
class AnalyticsIT {

    private static final long WINDOW = 10_000;

    @TempDir
    Path stateDir;

    @Test
    void writesWindowResultsAndPublishesBackIntoTheMessageTopic() throws Exception {
        String prefix = "it-analytics-" + System.nanoTime() + ".";
        AnalyticsSettings settings = AnalyticsSettings.defaults()
                .withTopicPrefix(prefix)
                .withMessageTopics(prefix + "messages")
                .withWindow(Duration.ofMillis(WINDOW), Duration.ofSeconds(1))
                .withFields("temperature", "env.humidity")
                .withPublishBack(true);
        // one partition: every record moves the stream time of the one task that holds the windows
        SharedKafka.createTopic(prefix + "messages", 1);
        Map<String, Object> kafka = Map.of("bootstrap.servers", SharedKafka.bootstrapServers());
        AppTopics.ensure(StreamsRunner.config("it-analytics", kafka, stateDir), List.of(
                AppTopics.topic(settings.topicStatsTopic(), 1, (short) 1, false),
                AppTopics.topic(settings.deviceStatsTopic(), 1, (short) 1, false)), Duration.ofSeconds(30));

        long start = System.currentTimeMillis() / WINDOW * WINDOW - 3 * WINDOW; // a window in the recent past
        try (StreamsRunner runner = StreamsRunner.start(prefix + "app", AnalyticsTopology.build(settings), kafka,
                stateDir, Duration.ofSeconds(60));
             KafkaProducer<byte[], byte[]> producer = producer()) {
            assertThat(runner.state()).isEqualTo(KafkaStreams.State.RUNNING);
            send(producer, prefix, "sensors/dev-1/env", "c1", "{\"temperature\": 20.5, \"env\": {\"humidity\": 40}}",
                    start + 1_000);
            send(producer, prefix, "sensors/dev-1/env", "c1", "{\"temperature\": 23.5}", start + 2_000);
            send(producer, prefix, "sensors/dev-1/env", "c1", "not json", start + 3_000);
            send(producer, prefix, "sensors/dev-2/env", "c2", "{\"temperature\": -4}", start + 4_000);
            producer.flush();

            // results need stream time past end + grace: keep it moving on a topic of its own until they are there
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                send(producer, prefix, "ticks/clock", null, "tick", start + WINDOW + 1_000);
                producer.flush();
                assertThat(read(settings.topicStatsTopic(), 2)).isNotEmpty();
            });

            List<TopicWindowStats> topics = read(settings.topicStatsTopic(), 2).stream()
                    .map(r -> AnalyticsCodecs.TOPIC_WINDOW_STATS.decode(r.value())).toList();
            assertThat(topics).extracting(TopicWindowStats::getTopic)
                    .containsExactlyInAnyOrder("sensors/dev-1/env", "sensors/dev-2/env");
            TopicWindowStats dev1Topic = topics.stream().filter(t -> t.getTopic().equals("sensors/dev-1/env"))
                    .findFirst().orElseThrow();
            assertThat(dev1Topic.getWindowStart().toEpochMilli()).isEqualTo(start);
            assertThat(dev1Topic.getWindowEnd().toEpochMilli()).isEqualTo(start + WINDOW);
            assertThat(dev1Topic.getCount()).isEqualTo(3);
            assertThat(dev1Topic.getRatePerSecond()).isEqualTo(0.3);
            assertThat(dev1Topic.getFields()).extracting(FieldStats::getPath, FieldStats::getCount,
                            FieldStats::getMin, FieldStats::getMax, FieldStats::getMean, FieldStats::getLast)
                    .containsExactly(
                            tuple("temperature", 2L, 20.5, 23.5, 22.0, 23.5),
                            tuple("env.humidity", 1L, 40.0, 40.0, 40.0, 40.0));

            List<ConsumerRecord<byte[], byte[]>> deviceRecords = read(settings.deviceStatsTopic(), 2);
            assertThat(deviceRecords).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrder("dev-1", "dev-2");
            DeviceWindowStats dev2 = deviceRecords.stream()
                    .map(r -> AnalyticsCodecs.DEVICE_WINDOW_STATS.decode(r.value()))
                    .filter(d -> d.getDevice().equals("dev-2")).findFirst().orElseThrow();
            assertThat(dev2.getCount()).isEqualTo(1);
            assertThat(dev2.getFields().get(0).getMin()).isEqualTo(-4.0);

            List<ConsumerRecord<byte[], byte[]>> published = SharedKafka.read(SharedKafka.bootstrapServers(),
                    prefix + "messages", r -> new String(r.key(), StandardCharsets.UTF_8).startsWith("$analytics/"),
                    3, Duration.ofSeconds(30));
            assertThat(published).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrder("$analytics/dev-1/temperature", "$analytics/dev-1/env.humidity",
                            "$analytics/dev-2/temperature");
            ConsumerRecord<byte[], byte[]> dev1Temperature = published.stream()
                    .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("$analytics/dev-1/temperature"))
                    .findFirst().orElseThrow();
            assertThat(header(dev1Temperature, MessageHeaders.TOPIC)).isEqualTo("$analytics/dev-1/temperature");
            assertThat(header(dev1Temperature, MessageHeaders.RETAIN)).isEqualTo("true");
            assertThat(header(dev1Temperature, MessageHeaders.QOS)).isEqualTo("1");
            assertThat(header(dev1Temperature, MessageHeaders.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(new String(dev1Temperature.value(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"windowStart\":" + start + ",\"windowEnd\":" + (start + WINDOW)
                            + ",\"count\":2,\"min\":20.5,\"max\":23.5,\"mean\":22.0,\"last\":23.5}");

            // the running app goes on closing windows: the next one of the same topic comes out too
            send(producer, prefix, "sensors/dev-1/env", "c1", "{\"temperature\": 30}", start + WINDOW + 2_000);
            send(producer, prefix, "sensors/dev-1/env", "c1", "{\"temperature\": 31}", start + WINDOW + 3_000);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                send(producer, prefix, "ticks/clock", null, "tick", start + 2 * WINDOW + 1_000);
                producer.flush();
                assertThat(read(settings.topicStatsTopic(), 4).stream()
                        .map(r -> AnalyticsCodecs.TOPIC_WINDOW_STATS.decode(r.value()))
                        .filter(t -> t.getTopic().equals("sensors/dev-1/env")))
                        .extracting(t -> t.getWindowStart().toEpochMilli(), TopicWindowStats::getCount)
                        .containsExactly(tuple(start, 3L),
                                tuple(start + WINDOW, 2L));
            });
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int atLeast) {
        return SharedKafka.read(SharedKafka.bootstrapServers(), topic, r -> true, atLeast, Duration.ofSeconds(1));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String prefix, String topic, String clientId,
            String payload, long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(MessageHeaders.TOPIC, topic.getBytes(StandardCharsets.UTF_8));
        if (clientId != null) {
            headers.add(MessageHeaders.CLIENT_ID, clientId.getBytes(StandardCharsets.UTF_8));
        }
        producer.send(new ProducerRecord<>(prefix + "messages", null, timestamp,
                topic.getBytes(StandardCharsets.UTF_8), payload.getBytes(StandardCharsets.UTF_8), headers));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 0), new ByteArraySerializer(), new ByteArraySerializer());
    }
}
