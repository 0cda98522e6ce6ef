package io.tributary.it;

import static io.tributary.it.Records.header;
import static io.tributary.it.Records.headers;
import static io.tributary.it.Records.key;
import static io.tributary.it.Records.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.bridge.mapping.KeyStrategy;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.testing.SharedKafka;
import io.tributary.mqtt.auth.PasswordFileAuthenticator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real MQTT clients publish; the records appear in the mapped Kafka topics with key, payload, headers, order. */
class PublishToKafkaIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TELEMETRY = "it-telemetry-" + System.nanoTime() % 100000;

    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.builder()
                .mapping(List.of(new MappingRule(TopicFilter.parse("sensors/#"), TELEMETRY, KeyStrategy.parse("level:1"))))
                .start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static MqttClient paho3(String clientId, int version) throws Exception {
        MqttClient client = new MqttClient(node.url(), clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(version);
        options.setCleanSession(true);
        client.connect(options);
        return client;
    }

    @Test
    void paho311PublishesAtEveryQos() throws Exception {
        MqttClient client = paho3("paho311", MqttConnectOptions.MQTT_VERSION_3_1_1);
        for (int qos = 0; qos <= 2; qos++) {
            client.publish("devices/d1/state", ("qos" + qos).getBytes(StandardCharsets.UTF_8), qos, qos == 1);
        }
        client.disconnect();
        client.close();

        List<ConsumerRecord<byte[], byte[]>> records = awaitRecords(node.topics.messages(), "paho311", 3);
        assertThat(records).extracting(Records::value).containsExactly("qos0", "qos1", "qos2");
        assertThat(records).allSatisfy(r -> {
            assertThat(key(r)).isEqualTo("devices/d1/state");
            assertThat(header(r, "mqtt.topic")).isEqualTo("devices/d1/state");
        });
        assertThat(records).extracting(r -> header(r, "mqtt.qos")).containsExactly("0", "1", "2");
        assertThat(records).extracting(r -> header(r, "mqtt.retain")).containsExactly("false", "true", "false");
        assertThat(records).allSatisfy(r -> assertThat(header(r, "mqtt.username")).isNull());
    }

    @Test
    void mqtt31ClientsConnectAndPublish() throws Exception {
        MqttClient client = paho3("paho31", MqttConnectOptions.MQTT_VERSION_3_1);
        client.publish("legacy/topic", "old but gold".getBytes(StandardCharsets.UTF_8), 1, false);
        client.disconnect();
        client.close();
        assertThat(awaitRecords(node.topics.messages(), "paho31", 1))
                .singleElement().satisfies(r -> assertThat(value(r)).isEqualTo("old but gold"));
    }

    @Test
    void mappingRuleChoosesTopicAndKey() throws Exception {
        MqttClient client = paho3("sensor-7", MqttConnectOptions.MQTT_VERSION_3_1_1);
        client.publish("sensors/room-7/temperature", "21.5".getBytes(StandardCharsets.UTF_8), 1, false);
        client.disconnect();
        client.close();
        assertThat(awaitRecords(TELEMETRY, "sensor-7", 1)).singleElement().satisfies(r -> {
            assertThat(key(r)).isEqualTo("room-7");
            assertThat(value(r)).isEqualTo("21.5");
            assertThat(header(r, "mqtt.topic")).isEqualTo("sensors/room-7/temperature");
        });
    }

    @Test
    void recordsOfOnePublisherOnOneTopicKeepTheirOrder() throws Exception {
        MqttAsyncClient client = new MqttAsyncClient(node.url(), "orderly", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMaxInflight(100);
        client.connect(options).waitForCompletion();
        List<IMqttDeliveryToken> tokens = new ArrayList<>();
        int count = 500;
        for (int i = 0; i < count; i++) {
            tokens.add(client.publish("order/" + (i % 3), String.valueOf(i).getBytes(StandardCharsets.UTF_8),
                    1, false));
            if (tokens.size() % 90 == 0) {
                tokens.get(tokens.size() - 1).waitForCompletion(30_000);
            }
        }
        for (IMqttDeliveryToken token : tokens) {
            token.waitForCompletion(30_000);
        }
        client.disconnect().waitForCompletion();
        client.close();

        List<ConsumerRecord<byte[], byte[]>> records = awaitRecords(node.topics.messages(), "orderly", count);
        assertThat(records).hasSize(count);
        for (int t = 0; t < 3; t++) {
            String topic = "order/" + t;
            List<Integer> sequence = records.stream().filter(r -> topic.equals(key(r)))
                    .map(r -> Integer.parseInt(value(r))).toList();
            assertThat(sequence).as("order on %s", topic).isSorted().hasSize(count / 3 + (t < count % 3 ? 1 : 0));
        }
    }

    @Test
    void paho5PropertiesBecomeHeaders() throws Exception {
        org.eclipse.paho.mqttv5.client.MqttClient client = new org.eclipse.paho.mqttv5.client.MqttClient(
                node.url(), "paho5", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        client.connect(options);
        MqttMessage message = new MqttMessage("{\"t\":21.5}".getBytes(StandardCharsets.UTF_8));
        message.setQos(2);
        MqttProperties properties = new MqttProperties();
        properties.setContentType("application/json");
        properties.setPayloadFormat(true);
        properties.setMessageExpiryInterval(300L);
        properties.setResponseTopic("replies/paho5");
        properties.setCorrelationData(new byte[] {7, 7});
        properties.setUserProperties(List.of(new UserProperty("site", "north"), new UserProperty("site", "south"),
                new UserProperty("mqtt.client.id", "forged")));
        message.setProperties(properties);
        client.publish("plant/line-1/temp", message);
        client.disconnect();
        client.close();

        ConsumerRecord<byte[], byte[]> r = awaitRecords(node.topics.messages(), "paho5", 1).get(0);
        assertThat(header(r, "mqtt.qos")).isEqualTo("2");
        assertThat(header(r, "mqtt.content.type")).isEqualTo("application/json");
        assertThat(header(r, "mqtt.payload.format")).isEqualTo("1");
        assertThat(header(r, "mqtt.message.expiry")).isEqualTo("300");
        assertThat(header(r, "mqtt.response.topic")).isEqualTo("replies/paho5");
        assertThat(r.headers().lastHeader("mqtt.correlation.data").value()).containsExactly(7, 7);
        assertThat(headers(r, "site")).containsExactly("north", "south");
        assertThat(headers(r, "mqtt.client.id")).as("identity cannot be forged").containsExactly("paho5");
        assertThat(header(r, "mqtt.user.mqtt.client.id")).isEqualTo("forged");
    }

    @Test
    void authenticatedUserNameTravelsAsIdentity(@TempDir Path dir) throws Exception {
        Path passwords = dir.resolve("passwd");
        // mosquitto_passwd -c -b passwd alice secret
        Files.writeString(passwords, "alice:$7$101$0ulUWUX11xSlJ2TK$ZTCSGFmzglGSdG2LIcpGc8DW5AbYLHWQ/DUQg0hwmG6Whaf"
                + "T2AHnO8wBJQyxihUKffgeltSt24Af0jogASkj1g==\n");
        try (TestNode secured = TestNode.builder()
                .authenticator(PasswordFileAuthenticator.load(passwords, false)).start()) {
            MqttClient client = new MqttClient(secured.url(), "alice-device", new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setUserName("alice");
            options.setPassword("secret".toCharArray());
            client.connect(options);
            client.publish("who/am/i", "alice".getBytes(StandardCharsets.UTF_8), 1, false);
            client.disconnect();
            client.close();
            ConsumerRecord<byte[], byte[]> r = awaitRecords(secured.topics.messages(), "alice-device", 1).get(0);
            assertThat(header(r, "mqtt.username")).isEqualTo("alice");
        }
    }

    @Test
    void mosquittoPubPublishesAtEveryQos() throws Exception {
        for (int qos = 0; qos <= 2; qos++) {
            ExternalTools.Result result = ExternalTools.run("mosquitto_pub", "-h", "127.0.0.1",
                    "-p", String.valueOf(node.port()), "-i", "mosq-" + qos, "-q", String.valueOf(qos),
                    "-t", "mosquitto/qos" + qos, "-m", "from mosquitto_pub " + qos);
            assertThat(result.exitCode()).as(result.stderr()).isZero();
        }
        for (int qos = 0; qos <= 2; qos++) {
            ConsumerRecord<byte[], byte[]> r = awaitRecords(node.topics.messages(), "mosq-" + qos, 1).get(0);
            assertThat(key(r)).isEqualTo("mosquitto/qos" + qos);
            assertThat(value(r)).isEqualTo("from mosquitto_pub " + qos);
            assertThat(header(r, "mqtt.qos")).isEqualTo(String.valueOf(qos));
        }
    }

    @Test
    void kcatSeesKeyPayloadAndHeaders() throws Exception {
        MqttClient client = paho3("kcat-check", MqttConnectOptions.MQTT_VERSION_3_1_1);
        client.publish("kcat/check", "visible from outside".getBytes(StandardCharsets.UTF_8), 1, false);
        client.disconnect();
        client.close();
        awaitRecords(node.topics.messages(), "kcat-check", 1);

        ExternalTools.Result result = ExternalTools.run("kcat", "-b", SharedKafka.bootstrapServers(), "-C",
                "-t", node.topics.messages(), "-o", "beginning", "-e", "-q", "-f", "%k|%s|%h\\n");
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout().lines())
                .anySatisfy(line -> {
                    assertThat(line).startsWith("kcat/check|visible from outside|");
                    assertThat(line).contains("mqtt.client.id=kcat-check", "mqtt.qos=1", "mqtt.retain=false");
                });
    }

    /** The records of {@code clientId} in the topic, once there are {@code count} (other tests write there too). */
    private static List<ConsumerRecord<byte[], byte[]>> awaitRecords(String topic, String clientId, int count) {
        return Records.await(SharedKafka.bootstrapServers(), topic,
                r -> clientId.equals(header(r, "mqtt.client.id")), count, WAIT);
    }
}
