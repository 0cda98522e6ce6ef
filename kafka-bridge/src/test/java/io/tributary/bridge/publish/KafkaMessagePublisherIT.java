package io.tributary.bridge.publish;

import io.tributary.bridge.MessageProperties;

import io.tributary.bridge.EmbeddedKafkaSettings;
import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.TopicSettings;
import io.tributary.bridge.mapping.KeyStrategy;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.mapping.TopicMapper;
import io.tributary.bridge.testing.SharedKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class KafkaMessagePublisherIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    static KafkaSettings settings(String bootstrap, long maxInflightBytes, Map<String, String> producer) {
        return new KafkaSettings(bootstrap, TopicSettings.defaults(), EmbeddedKafkaSettings.defaults(Path.of("unused")),
                maxInflightBytes, producer, Map.of(), Map.of());
    }

    private static MappingRule rule(String filter, String topic, String key) {
        return new MappingRule(TopicFilter.parse(filter), topic, KeyStrategy.parse(key));
    }

    private static String utf8(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writesKeyValueAndHeaders() throws Exception {
        SharedKafka.createTopic("pub1.messages", 2);
        TopicMapper mapper = TopicMapper.defaultOnly("pub1.messages");
        MessageProperties properties = new MessageProperties(1, "text/plain", 60L, "re/1",
                new byte[] {9, 8, 7}, List.of(Map.entry("k", "v"), Map.entry("mqtt.qos", "forged")));
        InboundPublish publish = new InboundPublish("home/temp", utf8("21.5"), 1, true, "sensor-1", "alice", null,
                properties);

        PublishAck ack;
        try (KafkaMessagePublisher publisher = new KafkaMessagePublisher(
                settings(SharedKafka.bootstrapServers(), 1 << 20, Map.of()), mapper)) {
            ack = publisher.publish(publish).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(publisher.inflightBytes()).isZero();
        }

        assertThat(ack.kafkaTopic()).isEqualTo("pub1.messages");
        List<ConsumerRecord<byte[], byte[]>> records = SharedKafka.readAll("pub1.messages", 1, TIMEOUT);
        assertThat(records).hasSize(1);
        ConsumerRecord<byte[], byte[]> record = records.get(0);
        assertThat(record.partition()).isEqualTo(ack.partition());
        assertThat(record.offset()).isEqualTo(ack.offset());
        assertThat(utf8(record.key())).isEqualTo("home/temp");
        assertThat(utf8(record.value())).isEqualTo("21.5");
        List<org.assertj.core.groups.Tuple> headers = new ArrayList<>();
        for (Header h : record.headers()) {
            headers.add(tuple(h.key(), h.key().equals(MessageHeaders.CORRELATION_DATA) ? null : utf8(h.value())));
        }
        assertThat(headers).containsExactly(
                tuple("mqtt.topic", "home/temp"),
                tuple("mqtt.qos", "1"),
                tuple("mqtt.retain", "true"),
                tuple("mqtt.client.id", "sensor-1"),
                tuple("mqtt.username", "alice"),
                tuple("mqtt.content.type", "text/plain"),
                tuple("mqtt.payload.format", "1"),
                tuple("mqtt.message.expiry", "60"),
                tuple("mqtt.response.topic", "re/1"),
                tuple("mqtt.correlation.data", null),
                tuple("k", "v"),
                tuple("mqtt.user.mqtt.qos", "forged"));
        assertThat(record.headers().lastHeader("mqtt.correlation.data").value()).containsExactly(9, 8, 7);
    }

    @Test
    void keepsPerTopicOrderAcrossPartitions() throws Exception {
        SharedKafka.createTopic("pub2.messages", 4);
        TopicMapper mapper = TopicMapper.defaultOnly("pub2.messages");
        List<String> mqttTopics = List.of("order/a", "order/b", "order/c");
        int perTopic = 1000;
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
        try (KafkaMessagePublisher publisher = new KafkaMessagePublisher(
                settings(SharedKafka.bootstrapServers(), 16 << 20, Map.of()), mapper)) {
            for (int i = 0; i < perTopic; i++) {
                for (String topic : mqttTopics) {
                    acks.add(publisher.publish(new InboundPublish(topic, utf8(Integer.toString(i)), 1, false, "c",
                            null, null, null)).toCompletableFuture());
                }
            }
            CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        }

        List<ConsumerRecord<byte[], byte[]>> records = SharedKafka.readAll("pub2.messages", 3 * perTopic, TIMEOUT);
        assertThat(records).hasSize(3 * perTopic);
        Map<String, List<Integer>> partitionsByTopic = new HashMap<>();
        Map<String, List<Integer>> valuesByTopic = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String topic = utf8(r.key());
            partitionsByTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(r.partition());
            valuesByTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(Integer.parseInt(utf8(r.value())));
        }
        for (String topic : mqttTopics) {
            assertThat(partitionsByTopic.get(topic)).as(topic).containsOnly(partitionsByTopic.get(topic).get(0));
            assertThat(valuesByTopic.get(topic)).as(topic).isSorted().hasSize(perTopic).doesNotHaveDuplicates();
        }
        assertThat(partitionsByTopic.values().stream().map(l -> l.get(0)).distinct().count())
                .as("three topics spread over more than one partition").isGreaterThan(1);
    }

    @Test
    void keyStrategies() throws Exception {
        SharedKafka.createTopic("pub3.devices", 3);
        SharedKafka.createTopic("pub3.levels", 3);
        SharedKafka.createTopic("pub3.unkeyed", 5);
        SharedKafka.createTopic("pub3.messages", 1);
        TopicMapper mapper = new TopicMapper(List.of(
                rule("devices/#", "pub3.devices", "client-id"),
                rule("levels/+/+", "pub3.levels", "level:1"),
                rule("unkeyed/#", "pub3.unkeyed", "none")), "pub3.messages");

        List<String> unkeyedTopics = List.of("unkeyed/1", "unkeyed/2", "unkeyed/3", "unkeyed/4", "unkeyed/5", "unkeyed/6");
        try (KafkaMessagePublisher publisher = new KafkaMessagePublisher(
                settings(SharedKafka.bootstrapServers(), 1 << 20, Map.of()), mapper)) {
            List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
            acks.add(publish(publisher, "devices/d1/temp", "dev-1"));
            acks.add(publish(publisher, "levels/room-7/temp", "c"));
            acks.add(publish(publisher, "other", "c"));
            for (int i = 0; i < 20; i++) {
                for (String topic : unkeyedTopics) {
                    acks.add(publish(publisher, topic, "c"));
                }
            }
            CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        }

        assertThat(utf8(SharedKafka.readAll("pub3.devices", 1, TIMEOUT).get(0).key())).isEqualTo("dev-1");
        assertThat(utf8(SharedKafka.readAll("pub3.levels", 1, TIMEOUT).get(0).key())).isEqualTo("room-7");
        assertThat(utf8(SharedKafka.readAll("pub3.messages", 1, TIMEOUT).get(0).key())).isEqualTo("other");

        List<ConsumerRecord<byte[], byte[]>> unkeyed = SharedKafka.readAll("pub3.unkeyed", 20 * unkeyedTopics.size(), TIMEOUT);
        assertThat(unkeyed).allSatisfy(r -> assertThat(r.key()).isNull());
        for (ConsumerRecord<byte[], byte[]> r : unkeyed) {
            String mqttTopic = utf8(r.headers().lastHeader(MessageHeaders.TOPIC).value());
            int expected = Utils.toPositive(Utils.murmur2(utf8(mqttTopic))) % 5;
            assertThat(r.partition()).as(mqttTopic).isEqualTo(expected);
        }
        assertThat(unkeyed.stream().map(ConsumerRecord::partition).distinct().count()).isGreaterThan(1);
    }

    @Test
    void failuresCompleteTheStageAndNeverThrow() throws Exception {
        TopicMapper mapper = TopicMapper.defaultOnly("pub4.does-not-exist");
        try (KafkaMessagePublisher publisher = new KafkaMessagePublisher(settings(SharedKafka.bootstrapServers(), 1 << 20,
                Map.of("max.block.ms", "200")), mapper)) {
            CompletableFuture<PublishAck> keyed = publish(publisher, "a", "c");
            assertThat(keyed).failsWithin(Duration.ofSeconds(10));
            assertThat(publisher.inflightBytes()).isZero();

            TopicMapper unkeyedMapper = new TopicMapper(
                    List.of(rule("#", "pub4.does-not-exist", "none")), "pub4.does-not-exist");
            try (KafkaMessagePublisher unkeyed = new KafkaMessagePublisher(settings(SharedKafka.bootstrapServers(),
                    1 << 20, Map.of("max.block.ms", "200")), unkeyedMapper)) {
                assertThat(publish(unkeyed, "a", "c")).failsWithin(Duration.ofSeconds(10));
                assertThat(unkeyed.inflightBytes()).isZero();
            }
        }
    }

    private static CompletableFuture<PublishAck> publish(KafkaMessagePublisher publisher, String topic, String clientId) {
        return publisher.publish(new InboundPublish(topic, utf8("x"), 1, false, clientId, null, null, null))
                .toCompletableFuture();
    }
}
