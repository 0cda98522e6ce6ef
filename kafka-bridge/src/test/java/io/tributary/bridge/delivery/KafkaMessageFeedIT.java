package io.tributary.bridge.delivery;

import io.tributary.bridge.EmbeddedKafkaSettings;
import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.TopicSettings;
import io.tributary.bridge.mapping.KeyStrategy;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.mapping.TopicMapper;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.bridge.publish.KafkaMessagePublisher;
import io.tributary.bridge.publish.PublishAck;
import io.tributary.bridge.testing.SharedKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class KafkaMessageFeedIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static KafkaSettings settings() {
        return new KafkaSettings(SharedKafka.bootstrapServers(), TopicSettings.defaults(),
                EmbeddedKafkaSettings.defaults(Path.of("unused")), 16 << 20, Map.of(), Map.of(), Map.of());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> plainProducer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, "0"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Test
    void deliversWhatThePublisherWroteInOrderPerTopic() throws Exception {
        SharedKafka.createTopic("feed1.messages", 4);
        TopicMapper mapper = TopicMapper.defaultOnly("feed1.messages");
        List<String> topics = List.of("order/a", "order/b", "order/c");
        int perTopic = 300;
        List<OutboundMessage> received = new CopyOnWriteArrayList<>();
        MessageProperties properties = new MessageProperties(1, "text/plain", 60L, "re/1", new byte[] {7},
                List.of(Map.entry("k", "v"), Map.entry("k", "w"), Map.entry("mqtt.x", "escaped")));

        try (KafkaMessageFeed feed = new KafkaMessageFeed(settings(), mapper, 1);
             KafkaMessagePublisher publisher = new KafkaMessagePublisher(settings(), mapper)) {
            feed.start((batch, positions) -> received.addAll(batch));
            List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
            for (int i = 0; i < perTopic; i++) {
                for (int t = 0; t < topics.size(); t++) {
                    acks.add(publisher.publish(new InboundPublish(topics.get(t), utf8(Integer.toString(i)), t,
                            t == 2, "client-" + t, null, null, t == 1 ? properties : null)).toCompletableFuture());
                }
            }
            CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);

            await().atMost(TIMEOUT).until(() -> received.size() >= topics.size() * perTopic);
            assertThat(received).hasSize(topics.size() * perTopic);
            assertThat(feed.recordsRead()).isEqualTo(topics.size() * perTopic);
            assertThat(feed.messagesDelivered()).isEqualTo(topics.size() * perTopic);
            assertThat(feed.recordsSkipped()).isZero();
        }

        Set<Integer> partitions = new HashSet<>();
        for (int t = 0; t < topics.size(); t++) {
            String topic = topics.get(t);
            List<OutboundMessage> ofTopic = received.stream().filter(m -> m.topic().equals(topic)).toList();
            assertThat(ofTopic).extracting(m -> Integer.parseInt(utf8(m.payload())))
                    .as(topic).containsExactlyElementsOf(IntStream.range(0, perTopic).boxed().toList());
            int qos = t;
            boolean retain = t == 2;
            assertThat(ofTopic).allSatisfy(m -> {
                assertThat(m.qos()).isEqualTo(qos);
                assertThat(m.retain()).isEqualTo(retain);
                assertThat(m.publisherClientId()).isEqualTo("client-" + qos);
                assertThat(m.kafkaTopic()).isEqualTo("feed1.messages");
                assertThat(m.timestampMs()).isPositive();
            });
            assertThat(ofTopic.stream().map(OutboundMessage::partition).distinct()).hasSize(1);
            partitions.add(ofTopic.get(0).partition());
        }
        assertThat(partitions).as("three MQTT topics over more than one partition").hasSizeGreaterThan(1);
        OutboundMessage withProperties = received.stream().filter(m -> m.topic().equals("order/b")).findFirst()
                .orElseThrow();
        MessageProperties p = withProperties.properties();
        assertThat(p.payloadFormat()).isEqualTo(1);
        assertThat(p.contentType()).isEqualTo("text/plain");
        assertThat(p.messageExpirySeconds()).isEqualTo(60L);
        assertThat(p.responseTopic()).isEqualTo("re/1");
        assertThat(p.correlationData()).containsExactly(7);
        assertThat(p.userProperties()).containsExactlyElementsOf(properties.userProperties());
    }

    @Test
    void recordsOfOtherProducersTakeTheTopicFromTheRuleTemplate() throws Exception {
        SharedKafka.createTopic("feed2.device-commands", 2);
        SharedKafka.createTopic("feed2.messages", 1);
        TopicMapper mapper = new TopicMapper(List.of(new MappingRule(TopicFilter.parse("devices/+/commands"),
                "feed2.device-commands", KeyStrategy.parse("level:1"), "devices/{key}/commands")), "feed2.messages");
        List<OutboundMessage> received = new CopyOnWriteArrayList<>();

        try (KafkaMessageFeed feed = new KafkaMessageFeed(settings(), mapper, 1);
             KafkaProducer<byte[], byte[]> producer = plainProducer()) {
            feed.start((batch, positions) -> received.addAll(batch));
            ProducerRecord<byte[], byte[]> command = new ProducerRecord<>("feed2.device-commands", utf8("dev-7"),
                    utf8("{\"cmd\":\"reboot\"}"));
            command.headers().add("trace-id", utf8("t-1"));
            producer.send(command).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>("feed2.device-commands", null, utf8("no key"))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>("feed2.messages", utf8("home/temp"), utf8("21"))).get(30, TimeUnit.SECONDS);

            await().atMost(TIMEOUT).until(() -> received.size() >= 2 && feed.recordsSkipped() == 1);
            assertThat(feed.recordsRead()).isEqualTo(3);
        }

        OutboundMessage m = received.stream().filter(r -> r.kafkaTopic().equals("feed2.device-commands"))
                .findFirst().orElseThrow();
        assertThat(m.topic()).isEqualTo("devices/dev-7/commands");
        assertThat(utf8(m.payload())).isEqualTo("{\"cmd\":\"reboot\"}");
        assertThat(m.qos()).isEqualTo(1);
        assertThat(m.retain()).isFalse();
        assertThat(m.publisherClientId()).isNull();
        assertThat(m.properties().userProperties()).containsExactly(Map.entry("trace-id", "t-1"));
        OutboundMessage plain = received.stream().filter(r -> r.kafkaTopic().equals("feed2.messages"))
                .findFirst().orElseThrow();
        assertThat(plain.topic()).isEqualTo("home/temp");
    }

    @Test
    void deliversOnlyWhatIsWrittenAfterStart() throws Exception {
        SharedKafka.createTopic("feed3.messages", 3);
        TopicMapper mapper = TopicMapper.defaultOnly("feed3.messages");
        List<String> topics = List.of("t/1", "t/2", "t/3", "t/4", "t/5", "t/6");
        List<OutboundMessage> received = new CopyOnWriteArrayList<>();

        try (KafkaMessageFeed feed = new KafkaMessageFeed(settings(), mapper, 1);
             KafkaProducer<byte[], byte[]> producer = plainProducer()) {
            for (String topic : topics) {
                producer.send(new ProducerRecord<>("feed3.messages", utf8(topic), utf8("before"))).get(30,
                        TimeUnit.SECONDS);
            }
            feed.start((batch, positions) -> received.addAll(batch));
            for (String topic : topics) {
                producer.send(new ProducerRecord<>("feed3.messages", utf8(topic), utf8("after"))).get(30,
                        TimeUnit.SECONDS);
            }
            // each "after" follows its "before" in the same partition: had "before" been read, it came first
            await().atMost(TIMEOUT).until(() -> received.size() >= topics.size());
        }
        assertThat(received).extracting(m -> utf8(m.payload())).containsOnly("after");
        assertThat(received).extracting(OutboundMessage::topic).containsExactlyInAnyOrderElementsOf(topics);
    }

    @Test
    void aSilentKafkaDelaysDeliveryAndDoesNotEndTheFeed() throws Exception {
        SharedKafka.createTopic("feed6.messages", 2);
        TopicMapper mapper = TopicMapper.defaultOnly("feed6.messages");
        KafkaSettings proxied = settings().withBootstrapServers(SharedKafka.proxiedBootstrapServers());
        List<OutboundMessage> received = new CopyOnWriteArrayList<>();
        try (KafkaMessageFeed feed = new KafkaMessageFeed(proxied, mapper, 1);
             KafkaProducer<byte[], byte[]> producer = plainProducer()) {
            feed.start((batch, positions) -> received.addAll(batch));
            SharedKafka.proxy().pause();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("feed6.messages", utf8("t/" + i), utf8("x"))).get(30,
                        TimeUnit.SECONDS);
            }
            assertThat(feed.isRunning()).isTrue();
            SharedKafka.proxy().resume();

            await().atMost(TIMEOUT).until(() -> received.size() >= 10);
            assertThat(feed.isRunning()).isTrue();
        } finally {
            SharedKafka.proxy().resume();
        }
    }

    @Test
    void closeEndsTheThreadPromptly() {
        SharedKafka.createTopic("feed4.messages", 2);
        KafkaMessageFeed feed = new KafkaMessageFeed(settings(), TopicMapper.defaultOnly("feed4.messages"), 1);
        feed.start((batch, positions) -> { });
        assertThat(feed.isRunning()).isTrue();

        long start = System.nanoTime();
        feed.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(feed.isRunning()).isFalse();
        feed.close();
    }

    @Test
    void aMissingTopicFailsTheStart() {
        KafkaMessageFeed feed = new KafkaMessageFeed(settings(), TopicMapper.defaultOnly("feed5.does-not-exist"), 1);
        try {
            assertThatThrownBy(() -> feed.start((batch, positions) -> { }))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("feed5.does-not-exist");
            assertThat(feed.isRunning()).isFalse();
        } finally {
            feed.close();
        }
    }
}
