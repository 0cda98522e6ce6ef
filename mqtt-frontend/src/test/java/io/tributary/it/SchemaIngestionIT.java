package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
import io.tributary.bridge.TopicSettings;
import io.tributary.bridge.format.PayloadFormat;
import io.tributary.bridge.mapping.KeyStrategy;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.publish.MessageHeaders;
import io.tributary.bridge.testing.SharedKafka;
import io.tributary.schemas.message.MqttEnvelope;
import io.tributary.schemas.registry.ConfluentAvroDeserializer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema-validated ingestion with the node's embedded Schema Registry: JSON telemetry becomes typed Avro records a
 * Kafka consumer reads with our deserializer; a payload that does not fit gets 0x99 and lands in the dead-letter
 * topic; MQTT subscribers get JSON back; the envelope format wraps payload and metadata.
 */
class SchemaIngestionIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    private static TestNode node;
    private static TopicSettings topics;
    private static String readings;
    private static String audit;

    @BeforeAll
    static void start() throws Exception {
        Path schema = dir.resolve("meter-reading.avsc");
        Files.writeString(schema, """
                {"type": "record", "name": "MeterReading", "namespace": "example", "fields": [
                  {"name": "meter", "type": "string"},
                  {"name": "kwh", "type": "double"},
                  {"name": "note", "type": ["null", "string"], "default": null}]}""");
        topics = TestNode.freshTopics();
        readings = topics.messages() + ".readings";
        audit = topics.messages() + ".audit";
        node = TestNode.builder().topics(topics).mapping(List.of(
                new MappingRule(TopicFilter.parse("meters/+/reading"), readings, KeyStrategy.parse("level:1"), null,
                        PayloadFormat.avroFile(schema)),
                new MappingRule(TopicFilter.parse("audit/#"), audit, KeyStrategy.parse("topic"), null,
                        PayloadFormat.ENVELOPE))).start();
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

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> T deserialize(String topic, byte[] value) {
        try (ConfluentAvroDeserializer<T> deserializer = new ConfluentAvroDeserializer<>()) {
            deserializer.configure(Map.of("schema.registry.url", node.node.schemaRegistryUrl()), false);
            return deserializer.deserialize(topic, value);
        }
    }

    @Test
    void jsonBecomesTypedAvroAndSubscribersGetJsonBack() throws Exception {
        Mqtt5BlockingClient subscriber = client("reading-sub");
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
            subscriber.subscribeWith().topicFilter("meters/#").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient meter = client("meter-1");
            meter.publishWith().topic("meters/m-1/reading").payload(utf8("{\"meter\": \"m-1\", \"kwh\": 12.5}"))
                    .qos(MqttQos.AT_LEAST_ONCE).send();
            meter.disconnect();

            ConsumerRecord<byte[], byte[]> record = SharedKafka.read(SharedKafka.bootstrapServers(), readings,
                    r -> true, 1, WAIT).get(0);
            GenericRecord reading = deserialize(readings, record.value());
            assertThat(reading.getSchema().getFullName()).isEqualTo("example.MeterReading");
            assertThat(reading.get("meter").toString()).isEqualTo("m-1");
            assertThat(reading.get("kwh")).isEqualTo(12.5);
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("m-1");

            Optional<Mqtt5Publish> back = publishes.receive(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(back).isPresent();
            assertThat(new String(back.get().getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"meter\":\"m-1\",\"kwh\":12.5,\"note\":null}");
        }
        subscriber.disconnect();
    }

    @Test
    void aPayloadThatDoesNotFitGets0x99AndGoesToTheDeadLetterTopic() throws Exception {
        Mqtt5BlockingClient meter = client("meter-2");
        assertThatThrownBy(() -> meter.publishWith().topic("meters/m-2/reading")
                .payload(utf8("{\"meter\": 2, \"kwh\": 1}")).qos(MqttQos.AT_LEAST_ONCE).send())
                .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> {
                    assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);
                    assertThat(e.getMqttMessage().getReasonString().orElseThrow().toString()).contains("$.meter");
                });
        assertThatThrownBy(() -> meter.publishWith().topic("meters/m-2/reading").payload(utf8("not json"))
                .qos(MqttQos.EXACTLY_ONCE).send())
                .isInstanceOfSatisfying(Mqtt5PubRecException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5PubRecReasonCode.PAYLOAD_FORMAT_INVALID));
        // the connection goes on
        meter.publishWith().topic("meters/m-2/reading").payload(utf8("{\"meter\": \"m-2\", \"kwh\": 3}"))
                .qos(MqttQos.AT_LEAST_ONCE).send();
        meter.disconnect();

        // MQTT 3.1.1 cannot be told: acknowledged, because the payload is stored in the dead-letter topic
        org.eclipse.paho.client.mqttv3.MqttClient legacy = new org.eclipse.paho.client.mqttv3.MqttClient(node.url(),
                "meter-3", new MemoryPersistence());
        legacy.connect(new MqttConnectOptions());
        legacy.publish("meters/m-3/reading", utf8("{\"kwh\": 4}"), 1, false);
        legacy.disconnect();
        legacy.close();

        List<ConsumerRecord<byte[], byte[]>> dead = SharedKafka.read(SharedKafka.bootstrapServers(),
                topics.deadLetter(), r -> true, 3, WAIT);
        assertThat(dead).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("{\"meter\": 2, \"kwh\": 1}", "not json", "{\"kwh\": 4}");
        assertThat(dead).allSatisfy(r -> {
            assertThat(new String(r.headers().lastHeader(MessageHeaders.ERROR_TOPIC).value(), StandardCharsets.UTF_8))
                    .isEqualTo(readings);
            assertThat(r.headers().lastHeader(MessageHeaders.TOPIC)).isNotNull();
        });
        assertThat(dead).anySatisfy(r -> assertThat(new String(r.headers().lastHeader(MessageHeaders.ERROR).value(),
                StandardCharsets.UTF_8)).contains("$.meter: missing"));
        assertThat(node.node.metrics().publishesInvalid.sum()).isEqualTo(3);
    }

    @Test
    void theEnvelopeCarriesPayloadAndMetadata() throws Exception {
        Mqtt5BlockingClient subscriber = client("audit-sub");
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
            subscriber.subscribeWith().topicFilter("audit/#").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient auditor = client("auditor");
            auditor.publishWith().topic("audit/door").payload(new byte[] {1, 2, 3}).contentType("application/x-door")
                    .qos(MqttQos.AT_LEAST_ONCE).send();
            auditor.disconnect();

            ConsumerRecord<byte[], byte[]> record = SharedKafka.read(SharedKafka.bootstrapServers(), audit,
                    r -> true, 1, WAIT).get(0);
            GenericRecord envelope = deserialize(audit, record.value());
            assertThat(envelope.getSchema().getFullName()).isEqualTo(MqttEnvelope.getClassSchema().getFullName());
            assertThat(envelope.get("topic").toString()).isEqualTo("audit/door");
            assertThat(envelope.get("clientId").toString()).isEqualTo("auditor");
            assertThat(envelope.get("contentType").toString()).isEqualTo("application/x-door");

            Optional<Mqtt5Publish> back = publishes.receive(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(back).isPresent();
            assertThat(back.get().getPayloadAsBytes()).containsExactly(1, 2, 3);
        }
        subscriber.disconnect();
    }
}
