package io.tributary.bridge.kafka;

import io.tributary.bridge.EmbeddedKafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A broker of its own (not the shared one): it is stopped and started again. */
class EmbeddedKafkaIT {

    private static EmbeddedKafkaSettings settings(Path dir, int port, int controllerPort) {
        return new EmbeddedKafkaSettings(dir, "127.0.0.1", port, controllerPort, 60_000, 64L * 1024 * 1024,
                8 * 1024 * 1024, Map.of("offsets.topic.num.partitions", "1"));
    }

    @Test
    void keepsItsDataAcrossARestart(@TempDir Path dir) throws Exception {
        int[] ports = EmbeddedKafka.freeLoopbackPorts(2);
        EmbeddedKafkaSettings settings = settings(dir, ports[0], ports[1]);

        try (EmbeddedKafka kafka = new EmbeddedKafka(settings).start()) {
            assertThat(kafka.isRunning()).isTrue();
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + ports[0]);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("durable", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("durable", "k", "before restart")).get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(dir.resolve("meta.properties")).exists();

        try (EmbeddedKafka kafka = new EmbeddedKafka(settings).start()) {
            assertThat(read(kafka.bootstrapServers(), "durable", 1))
                    .extracting(ConsumerRecord::value).containsExactly("before restart");
        }
    }

    @Test
    void brokerPropertiesApplyTheSingleNodeSettingsThenTheOverrides() {
        Map<String, String> props = EmbeddedKafka.brokerProperties(new EmbeddedKafkaSettings(Path.of("/tmp/x"),
                "127.0.0.1", 19092, 19093, 1000, 2000, 3000, Map.of("log.retention.ms", "5")));
        assertThat(props)
                .containsEntry("auto.create.topics.enable", "false")
                .containsEntry("controller.quorum.voters", "1@127.0.0.1:19093")
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093")
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("group.initial.rebalance.delay.ms", "0")
                .containsEntry("log.retention.bytes", "2000")
                .containsEntry("log.segment.bytes", "3000")
                .containsEntry("log.retention.ms", "5"); // overrides win
    }

    @Test
    void aTakenPortFailsTheStartNamingTheSetting(@TempDir Path dir) throws Exception {
        int[] ports = EmbeddedKafka.freeLoopbackPorts(2);
        try (ServerSocket squatter = new ServerSocket(ports[0], 1, InetAddress.getLoopbackAddress())) {
            EmbeddedKafka kafka = new EmbeddedKafka(settings(dir, squatter.getLocalPort(), ports[1]));
            assertThatThrownBy(kafka::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(Integer.toString(squatter.getLocalPort()))
                    .hasMessageContaining("kafka.embedded.port");
            assertThat(kafka.isRunning()).isFalse();
        }
    }

    private static List<ConsumerRecord<String, String>> read(String bootstrap, String topic, int count) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            return records;
        }
    }
}
