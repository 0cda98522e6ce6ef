package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.tributary.bridge.mapping.KeyStrategy;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Subscribers are fed from Kafka: real clients subscribe on one node and receive what clients publish on the same
 * node, on another node of the same Kafka, and what plain Kafka producers write.
 */
class SubscribeIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String COMMANDS = "it-commands-" + System.nanoTime() % 100000;

    private static TestNode nodeA;
    private static TestNode nodeB;

    @BeforeAll
    static void start() {
        List<MappingRule> rules = List.of(new MappingRule(TopicFilter.parse("devices/+/commands"), COMMANDS,
                KeyStrategy.parse("level:1"), "devices/{key}/commands"));
        nodeA = TestNode.builder().mapping(rules).start();
        nodeB = TestNode.builder().mapping(rules).topics(nodeA.topics).start();
    }

    @AfterAll
    static void stop() {
        nodeB.close();
        nodeA.close();
    }

    /** A Paho 3.1.1 subscriber whose messages land in a queue. */
    private record Subscriber(MqttClient client, BlockingQueue<MqttMessage> received, List<String> topics) {

        static Subscriber on(TestNode node, String clientId, String filter, int qos) throws Exception {
            MqttClient client = new MqttClient(node.url(), clientId, new MemoryPersistence());
            BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
            List<String> topics = java.util.Collections.synchronizedList(new ArrayList<>());
            client.connect(new MqttConnectOptions());
            client.subscribe(filter, qos, (topic, message) -> {
                topics.add(topic);
                received.add(message);
            });
            return new Subscriber(client, received, topics);
        }

        MqttMessage next() throws InterruptedException {
            MqttMessage message = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(message).as("a message within %s", WAIT).isNotNull();
            return message;
        }

        void close() throws Exception {
            client.disconnect();
            client.close();
        }
    }

    private static MqttClient publisher(TestNode node, String clientId) throws Exception {
        MqttClient client = new MqttClient(node.url(), clientId, new MemoryPersistence());
        client.connect(new MqttConnectOptions());
        return client;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void grantedQosIsTheMinimumOfPublishAndSubscription() throws Exception {
        Subscriber subscriber = Subscriber.on(nodeA, "sub-qos", "qos/test/#", 1);
        MqttClient publisher = publisher(nodeA, "pub-qos");
        publisher.publish("qos/test/0", bytes("zero"), 0, false);
        publisher.publish("qos/test/1", bytes("one"), 1, false);
        publisher.publish("qos/test/2", bytes("two"), 2, false);
        MqttMessage zero = subscriber.next();
        MqttMessage one = subscriber.next();
        MqttMessage two = subscriber.next();
        assertThat(List.of(new String(zero.getPayload()), new String(one.getPayload()), new String(two.getPayload())))
                .containsExactly("zero", "one", "two");
        assertThat(List.of(zero.getQos(), one.getQos(), two.getQos())).containsExactly(0, 1, 1);
        assertThat(subscriber.topics()).containsExactly("qos/test/0", "qos/test/1", "qos/test/2");
        publisher.disconnect();
        subscriber.close();
    }

    @Test
    void publishOnOneNodeIsReceivedOnTheOther() throws Exception {
        Subscriber onB = Subscriber.on(nodeB, "sub-b", "cluster/+/temp", 2);
        MqttClient onA = publisher(nodeA, "pub-a");
        onA.publish("cluster/room-1/temp", bytes("21.5"), 2, false);
        MqttMessage message = onB.next();
        assertThat(new String(message.getPayload())).isEqualTo("21.5");
        assertThat(message.getQos()).isEqualTo(2);
        assertThat(message.isRetained()).isFalse();
        onA.disconnect();
        onB.close();
    }

    @Test
    void orderOfOnePublisherIsKept() throws Exception {
        Subscriber subscriber = Subscriber.on(nodeB, "sub-order", "order/seq", 1);
        MqttClient publisher = publisher(nodeA, "pub-order");
        int count = 300;
        for (int i = 0; i < count; i++) {
            publisher.publish("order/seq", bytes(String.valueOf(i)), 1, false);
        }
        for (int i = 0; i < count; i++) {
            assertThat(new String(subscriber.next().getPayload())).isEqualTo(String.valueOf(i));
        }
        publisher.disconnect();
        subscriber.close();
    }

    @Test
    void recordsOfOtherKafkaProducersReachSubscribers() throws Exception {
        Subscriber device = Subscriber.on(nodeA, "dev-7", "devices/dev-7/commands", 1);
        Subscriber plain = Subscriber.on(nodeB, "plain", "plain/#", 1);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            // a mapped topic: the rule's mqtt-topic template names the MQTT topic
            producer.send(new ProducerRecord<>(COMMANDS, "dev-7", "{\"cmd\":\"reboot\"}")).get();
            // the default topic: the key is the MQTT topic
            producer.send(new ProducerRecord<>(nodeA.topics.messages(), "plain/hello", "from kafka")).get();
        }
        MqttMessage command = device.next();
        assertThat(new String(command.getPayload())).isEqualTo("{\"cmd\":\"reboot\"}");
        assertThat(command.getQos()).as("records of other producers are delivered at QoS 1").isEqualTo(1);
        assertThat(new String(plain.next().getPayload())).isEqualTo("from kafka");
        assertThat(plain.topics()).containsExactly("plain/hello");
        device.close();
        plain.close();
    }

    @Test
    void mqtt5PropertiesReachAnMqtt5Subscriber() throws Exception {
        BlockingQueue<org.eclipse.paho.mqttv5.common.MqttMessage> received = new LinkedBlockingQueue<>();
        org.eclipse.paho.mqttv5.client.MqttClient subscriber = new org.eclipse.paho.mqttv5.client.MqttClient(
                nodeB.url(), "paho5-sub", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        subscriber.connect(new MqttConnectionOptions());
        subscriber.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
                new org.eclipse.paho.mqttv5.common.MqttSubscription("rpc/#", 1)},
                new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(topic, message) -> received.add(message)});

        org.eclipse.paho.mqttv5.client.MqttClient publisher = new org.eclipse.paho.mqttv5.client.MqttClient(
                nodeA.url(), "paho5-pub", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        publisher.connect(new MqttConnectionOptions());
        org.eclipse.paho.mqttv5.common.MqttMessage message = new org.eclipse.paho.mqttv5.common.MqttMessage(
                bytes("{\"q\":1}"));
        message.setQos(1);
        MqttProperties properties = new MqttProperties();
        properties.setContentType("application/json");
        properties.setResponseTopic("rpc/replies/paho5-pub");
        properties.setCorrelationData(new byte[] {1, 2, 3});
        properties.setUserProperties(List.of(new UserProperty("trace", "t-1")));
        properties.setMessageExpiryInterval(600L);
        message.setProperties(properties);
        publisher.publish("rpc/requests", message);

        org.eclipse.paho.mqttv5.common.MqttMessage got = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(got).isNotNull();
        MqttProperties p = got.getProperties();
        assertThat(p.getContentType()).isEqualTo("application/json");
        assertThat(p.getResponseTopic()).isEqualTo("rpc/replies/paho5-pub");
        assertThat(p.getCorrelationData()).containsExactly(1, 2, 3);
        assertThat(p.getUserProperties()).extracting(UserProperty::getKey, UserProperty::getValue)
                .contains(org.assertj.core.groups.Tuple.tuple("trace", "t-1"));
        assertThat(p.getMessageExpiryInterval()).isBetween(590L, 600L);
        publisher.disconnect();
        publisher.close();
        subscriber.disconnect();
        subscriber.close();
    }

    @Test
    void topicAliasesBothWaysWithTheHiveMqClient() throws Exception {
        // the subscriber accepts 4 aliases from the server, the publisher uses up to 4 towards it
        Mqtt5BlockingClient subscriber = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder()
                .identifier("alias-sub").serverHost("127.0.0.1").serverPort(nodeB.port()).buildBlocking();
        subscriber.connectWith().restrictions().topicAliasMaximum(4).applyRestrictions().send();
        Mqtt5BlockingClient publisher = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder()
                .identifier("alias-pub").serverHost("127.0.0.1").serverPort(nodeA.port()).buildBlocking();
        publisher.connectWith().restrictions().sendTopicAliasMaximum(4).applyRestrictions().send();
        List<String> received = new ArrayList<>();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
            subscriber.subscribeWith().topicFilter("aliased/#").qos(MqttQos.AT_LEAST_ONCE).send();
            for (int i = 0; i < 12; i++) {
                // six topics, each twice: the second time both sides send the alias alone
                publisher.publishWith().topic("aliased/sensor-" + (i % 6)).payload(bytes("m" + i))
                        .qos(MqttQos.AT_LEAST_ONCE).send();
            }
            for (int i = 0; i < 12; i++) {
                Optional<Mqtt5Publish> message = publishes.receive(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(message).isPresent();
                received.add(message.get().getTopic() + " " + new String(message.get().getPayloadAsBytes()));
            }
        }
        // each topic under its own name, in the order published on it (topics are in different partitions, so
        // there is no order between them)
        for (int topic = 0; topic < 6; topic++) {
            String name = "aliased/sensor-" + topic;
            assertThat(received.stream().filter(r -> r.startsWith(name + " ")).toList())
                    .containsExactly(name + " m" + topic, name + " m" + (topic + 6));
        }
        publisher.disconnect();
        subscriber.disconnect();
    }

    @Test
    void hiveMqClientSubscribesWithNoLocal() throws Exception {
        Mqtt5BlockingClient client = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder()
                .identifier("hivemq-1").serverHost("127.0.0.1").serverPort(nodeA.port()).buildBlocking();
        client.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(MqttGlobalPublishFilter.ALL)) {
            client.subscribeWith().topicFilter("chat/room").qos(MqttQos.AT_LEAST_ONCE).noLocal(true).send();
            client.publishWith().topic("chat/room").payload(bytes("my own")).qos(MqttQos.AT_LEAST_ONCE).send();
            MqttClient other = publisher(nodeB, "chatter");
            other.publish("chat/room", bytes("from someone else"), 1, false);
            Optional<Mqtt5Publish> first = publishes.receive(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(first).isPresent();
            assertThat(new String(first.get().getPayloadAsBytes())).isEqualTo("from someone else");
            other.disconnect();
        }
        client.disconnect();
    }

    @Test
    void willOfALostConnectionReachesSubscribersOnAnotherNode() throws Exception {
        Subscriber watcher = Subscriber.on(nodeB, "watcher", "status/+", 1);
        MqttClient device = new MqttClient(nodeA.url(), "doomed", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setWill("status/doomed", bytes("offline"), 1, false);
        device.connect(options);
        // a normal disconnect of another client with a will publishes nothing
        MqttClient polite = new MqttClient(nodeA.url(), "polite", new MemoryPersistence());
        MqttConnectOptions politeOptions = new MqttConnectOptions();
        politeOptions.setWill("status/polite", bytes("offline"), 1, false);
        polite.connect(politeOptions);
        polite.disconnect();
        // the broker closes the device's connection: a takeover by a client without a will
        MqttClient successor = new MqttClient(nodeA.url(), "doomed", new MemoryPersistence());
        successor.connect(new MqttConnectOptions());
        MqttMessage will = watcher.next();
        assertThat(new String(will.getPayload())).isEqualTo("offline");
        assertThat(watcher.topics()).containsExactly("status/doomed");
        successor.disconnect();
        watcher.close();
    }

    @Test
    void aSecondConnectionOnAnotherNodeTakesOverTheClientId() throws Exception {
        java.util.concurrent.CompletableFuture<Integer> reason = new java.util.concurrent.CompletableFuture<>();
        org.eclipse.paho.mqttv5.client.MqttClient first = new org.eclipse.paho.mqttv5.client.MqttClient(
                nodeA.url(), "roamer", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        first.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
            @Override
            public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse response) {
                reason.complete(response.getReturnCode());
            }

            @Override
            public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        first.connect(new MqttConnectionOptions());

        org.eclipse.paho.mqttv5.client.MqttClient second = new org.eclipse.paho.mqttv5.client.MqttClient(
                nodeB.url(), "roamer", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        second.connect(new MqttConnectionOptions());

        assertThat(reason.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("Session taken over").isEqualTo(0x8E);
        assertThat(second.isConnected()).isTrue();
        second.disconnect();
        second.close();
        first.close();
    }

    @Test
    void mosquittoSubReceives() throws Exception {
        ExternalTools.require("mosquitto_sub");
        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(nodeB.port()),
                "-t", "tools/#", "-q", "1", "-C", "1", "-v", "-i", "mosq-sub").redirectErrorStream(true).start();
        try {
            MqttClient publisher = publisher(nodeA, "for-mosquitto");
            // mosquitto_sub subscribes asynchronously: publish until it has its one message
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (sub.isAlive() && System.nanoTime() < deadline) {
                publisher.publish("tools/mosquitto", bytes("hello mosquitto_sub"), 1, false);
                sub.waitFor(200, TimeUnit.MILLISECONDS);
            }
            publisher.disconnect();
            assertThat(sub.waitFor(1, TimeUnit.SECONDS)).isTrue();
            String output = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(output.strip()).isEqualTo("tools/mosquitto hello mosquitto_sub");
        } finally {
            sub.destroy();
        }
    }
}
