package io.tributary.bridge.retained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.bridge.EmbeddedKafkaSettings;
import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.TopicSettings;
import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.mapping.TopicMapper;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.bridge.publish.MessageHeaders;
import io.tributary.bridge.publish.PublishAck;
import io.tributary.bridge.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The node's view of the retained topic on a real Kafka: what the Streams app writes, and this node's writes. */
class KafkaRetainedStoreIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private String topic;
    private KafkaProducer<byte[], byte[]> producer;
    private final List<KafkaRetainedStore> stores = new ArrayList<>();

    @BeforeEach
    void createTopic() {
        topic = "retained-it-" + TOPICS.incrementAndGet();
        SharedKafka.createTopic(topic, 3);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void close() {
        stores.forEach(KafkaRetainedStore::close);
        producer.close();
    }

    private KafkaRetainedStore start() throws Exception {
        KafkaSettings settings = new KafkaSettings(SharedKafka.bootstrapServers(),
                new TopicSettings("msgs", topic, "unused.sessions", "unused.subscriptions", "unused.events", "unused.deliveries", "unused.dead-letter", 3, (short) -1, -1L),
                EmbeddedKafkaSettings.defaults(Path.of("unused")), 16 << 20, Map.of(), Map.of(), Map.of());
        KafkaRetainedStore store = new KafkaRetainedStore(settings, new TopicMapper(List.of(), "msgs"), 1);
        stores.add(store);
        store.start(TIMEOUT);
        return store;
    }

    /** What the retained app writes: the message record with where it came from. */
    private void retained(String mqttTopic, String payload, int sourcePartition, long sourceOffset) throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, utf8(mqttTopic),
                payload == null ? null : utf8(payload));
        record.headers().add(new RecordHeader(MessageHeaders.TOPIC, utf8(mqttTopic)))
                .add(new RecordHeader(MessageHeaders.QOS, utf8("1")))
                .add(new RecordHeader(MessageHeaders.RETAIN, utf8("true")))
                .add(new RecordHeader(MessageHeaders.SOURCE_TOPIC, utf8("msgs")))
                .add(new RecordHeader(MessageHeaders.SOURCE_PARTITION, utf8(String.valueOf(sourcePartition))))
                .add(new RecordHeader(MessageHeaders.SOURCE_OFFSET, utf8(String.valueOf(sourceOffset))));
        producer.send(record).get();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> match(RetainedStore store, String filter) {
        List<String> found = new ArrayList<>();
        store.match(TopicFilter.parse(filter), m -> found.add(m.topic() + "=" + new String(m.payload(),
                StandardCharsets.UTF_8)));
        return found;
    }

    @Test
    void startsWithWhatTheTopicHoldsAndFollowsIt() throws Exception {
        retained("home/kitchen/temp", "21", 0, 10);
        retained("home/hall/temp", "19", 1, 4);
        retained("home/hall/temp", "20", 1, 5);
        retained("office/temp", "23", 2, 7);
        KafkaRetainedStore store = start();
        assertThat(match(store, "home/+/temp")).containsExactlyInAnyOrder("home/kitchen/temp=21", "home/hall/temp=20");
        assertThat(store.size()).isEqualTo(3);

        retained("office/temp", null, 2, 9); // a deletion
        retained("office/humidity", "40", 2, 10);
        Awaitility.await().atMost(TIMEOUT).until(() -> match(store, "office/#").equals(List.of("office/humidity=40")));
        List<OutboundMessage> found = new ArrayList<>();
        store.match(TopicFilter.parse("office/humidity"), found::add);
        OutboundMessage message = found.get(0);
        assertThat(message.retain()).isTrue();
        assertThat(message.qos()).isEqualTo(1);
        assertThat(message.kafkaTopic()).as("the message's own place, in its message topic").isEqualTo("msgs");
        assertThat(message.partition()).isEqualTo(2);
        assertThat(message.offset()).isEqualTo(10);
    }

    @Test
    void aWriteOfThisNodeIsServedAtOnceAndAnOlderVersionArrivingLaterDoesNotReplaceIt() throws Exception {
        KafkaRetainedStore store = start();
        store.written(publish("door/state", "open"), new PublishAck("msgs", 1, 20, System.currentTimeMillis()));
        assertThat(match(store, "door/#")).containsExactly("door/state=open");

        retained("door/state", "closed", 1, 19); // the app's copy of an older message, late
        retained("marker", "m", 0, 1);
        Awaitility.await().atMost(TIMEOUT).until(() -> !match(store, "marker").isEmpty());
        assertThat(match(store, "door/#")).containsExactly("door/state=open");

        retained("door/state", "open", 1, 20); // the app caught up with this node's write
        retained("door/state", "locked", 1, 21); // and a newer one follows
        Awaitility.await().atMost(TIMEOUT).until(() -> match(store, "door/#").equals(List.of("door/state=locked")));
    }

    @Test
    void aDeletionOfThisNodeIsServedAtOnce() throws Exception {
        retained("lamp", "on", 0, 3);
        KafkaRetainedStore store = start();
        assertThat(match(store, "lamp")).containsExactly("lamp=on");
        store.written(publish("lamp", ""), new PublishAck("msgs", 0, 4, System.currentTimeMillis()));
        assertThat(match(store, "#")).isEmpty();
        assertThat(store.size()).isZero();
    }

    @Test
    void aMissingTopicFailsTheStartNamingIt() {
        topic = "no-such-retained-topic";
        assertThatThrownBy(this::start).hasMessageContaining("no-such-retained-topic");
    }

    private static InboundPublish publish(String topic, String payload) {
        return new InboundPublish(topic, utf8(payload), 1, true, "writer", null, null, MessageProperties.NONE);
    }
}
