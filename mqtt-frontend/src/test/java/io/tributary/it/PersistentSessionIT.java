package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.tributary.bridge.TopicSettings;
import io.tributary.bridge.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptionsBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Persistent sessions kept in Kafka, with real clients and several nodes on one Kafka: a session resumes on
 * another node (or on a node started later) with its subscriptions and the messages it missed; QoS 2 stays exactly
 * once when the node a client is on stops mid-stream; wills wait for their delay and are cancelled by a reconnect;
 * an expired session is removed from Kafka.
 */
class PersistentSessionIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<TestNode> nodes = new ArrayList<>();
    private final TopicSettings topics = TestNode.freshTopics();

    private TestNode node() {
        TestNode node = TestNode.builder().topics(topics).start();
        nodes.add(node);
        return node;
    }

    @AfterEach
    void stop() {
        nodes.forEach(TestNode::close);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static MqttConnectOptions keepSession() {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(false);
        return options;
    }

    /** A Paho 3.1.1 client whose messages land in a queue. */
    private static final class Device implements MqttCallbackExtended {
        final org.eclipse.paho.client.mqttv3.MqttClient client;
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final List<Boolean> duplicates = Collections.synchronizedList(new ArrayList<>());

        Device(String url, String clientId) throws Exception {
            client = new org.eclipse.paho.client.mqttv3.MqttClient(url, clientId, new MemoryPersistence());
            client.setCallback(this);
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void connectionLost(Throwable cause) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
            duplicates.add(message.isDuplicate());
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }

        List<String> take(int count) throws InterruptedException {
            List<String> messages = new ArrayList<>();
            while (messages.size() < count) {
                String next = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(next).as("message %d of %d within %s", messages.size() + 1, count, WAIT).isNotNull();
                messages.add(next);
            }
            return messages;
        }
    }

    private static List<String> numbered(String prefix, int count) {
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            messages.add(prefix + i);
        }
        return messages;
    }

    @Test
    void qos1MessagesMissedWhileOfflineArriveOnReconnectToANodeStartedLater() throws Exception {
        TestNode a = node();
        Device device = new Device(a.url(), "persistent-1");
        IMqttToken first = device.client.connectWithResult(keepSession());
        assertThat(first.getSessionPresent()).isFalse();
        device.client.subscribe("persist/1/#", 1);
        device.client.disconnect();

        TestNode b = node();
        org.eclipse.paho.client.mqttv3.MqttClient publisher =
                new org.eclipse.paho.client.mqttv3.MqttClient(b.url(), "publisher-1", new MemoryPersistence());
        publisher.connect();
        List<String> sent = numbered("missed-", 20);
        for (String message : sent) {
            publisher.publish("persist/1/data", bytes(message), 1, false);
        }
        publisher.publish("elsewhere", bytes("not for it"), 1, false);
        publisher.disconnect();
        a.close();

        TestNode c = node(); // a node that never saw the session: it reads it from Kafka
        Device again = new Device(c.url(), "persistent-1");
        IMqttToken resumed = again.client.connectWithResult(keepSession());
        assertThat(resumed.getSessionPresent()).as("Session Present").isTrue();
        assertThat(again.take(20)).containsExactlyElementsOf(sent);

        // and the subscription is live again on the new node, without subscribing
        org.eclipse.paho.client.mqttv3.MqttClient live =
                new org.eclipse.paho.client.mqttv3.MqttClient(b.url(), "publisher-1b", new MemoryPersistence());
        live.connect();
        live.publish("persist/1/data", bytes("live"), 1, false);
        live.disconnect();
        assertThat(again.take(1)).containsExactly("live");
        assertThat(again.received.poll(500, TimeUnit.MILLISECONDS)).as("nothing twice").isNull();
        again.client.disconnect();
    }

    @Test
    void aBacklogFarLargerThanTheSubscribersQueueArrivesWhole() throws Exception {
        TestNode a = node();
        Mqtt5BlockingClient first = MqttClient.builder().useMqttVersion5().identifier("persistent-7")
                .serverHost("127.0.0.1").serverPort(a.port()).buildBlocking();
        first.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
        first.subscribeWith().topicFilter("persist/7/#").qos(MqttQos.AT_LEAST_ONCE).send();
        first.disconnect();

        // 5,000 missed messages, written by a plain Kafka producer (MQTT topic = key), for a client that takes 5
        // at a time (Receive Maximum) behind a queue of 1,000
        List<String> sent = numbered("backlog-", 5000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (String message : sent) {
                producer.send(new ProducerRecord<>(topics.messages(), "persist/7/data", message));
            }
        }
        Mqtt5BlockingClient again = MqttClient.builder().useMqttVersion5().identifier("persistent-7")
                .serverHost("127.0.0.1").serverPort(a.port()).buildBlocking();
        List<String> received = new ArrayList<>();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes =
                     again.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            again.connectWith().cleanStart(false).sessionExpiryInterval(300)
                    .restrictions().receiveMaximum(5).applyRestrictions().send();
            while (received.size() < sent.size()) {
                var message = publishes.receive(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(message).as("message %d", received.size() + 1).isPresent();
                received.add(new String(message.get().getPayloadAsBytes(), StandardCharsets.UTF_8));
            }
        }
        assertThat(received).containsExactlyElementsOf(sent);
        assertThat(a.node.metrics().droppedQueueFull.sum()).isZero();
        again.disconnect();
    }

    @Test
    void qos2StaysExactlyOnceWhenTheNodeOfTheSubscriberStopsMidStream() throws Exception {
        TestNode a = node();
        TestNode b = node();
        org.eclipse.paho.client.mqttv3.MqttClient subscriber = new org.eclipse.paho.client.mqttv3.MqttClient(
                a.url(), "persistent-2", new MemoryPersistence());
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        subscriber.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions options = keepSession();
        options.setServerURIs(new String[] {a.url(), b.url()}); // when a goes, the client moves to b
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay(500);
        subscriber.connect(options);
        subscriber.subscribe("persist/2/#", 2);

        org.eclipse.paho.client.mqttv3.MqttClient publisher =
                new org.eclipse.paho.client.mqttv3.MqttClient(b.url(), "publisher-2", new MemoryPersistence());
        publisher.connect();
        List<String> sent = numbered("q2-", 300);
        for (int i = 0; i < sent.size(); i++) {
            publisher.publish("persist/2/data", bytes(sent.get(i)), 2, false);
            if (i == 100) {
                a.close(); // the subscriber's node stops with messages in flight and queued
            }
        }
        publisher.disconnect();

        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (got.size() < sent.size() && System.nanoTime() < deadline) {
            String next = received.poll(1, TimeUnit.SECONDS);
            if (next != null) {
                got.add(next);
            }
        }
        assertThat(received.poll(1, TimeUnit.SECONDS)).as("nothing beyond").isNull();
        assertThat(got).as("each exactly once, in order").containsExactlyElementsOf(sent);
        assertThat(subscriber.getCurrentServerURI()).isEqualTo(b.url());
        subscriber.disconnect();
    }

    @Test
    void theHiveMqClientResumesItsMqtt5SessionOnAnotherNode() {
        TestNode a = node();
        TestNode b = node();
        Mqtt5BlockingClient first = MqttClient.builder().useMqttVersion5().identifier("persistent-3")
                .serverHost("127.0.0.1").serverPort(a.port()).buildBlocking();
        Mqtt5ConnAck connAck = first.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
        assertThat(connAck.isSessionPresent()).isFalse();
        first.subscribeWith().topicFilter("persist/3/+").qos(MqttQos.AT_LEAST_ONCE).send();
        first.disconnect();

        Mqtt5BlockingClient publisher = MqttClient.builder().useMqttVersion5().identifier("publisher-3")
                .serverHost("127.0.0.1").serverPort(a.port()).buildBlocking();
        publisher.connect();
        publisher.publishWith().topic("persist/3/x").payload(bytes("while away")).qos(MqttQos.AT_LEAST_ONCE).send();
        publisher.disconnect();

        Mqtt5BlockingClient second = MqttClient.builder().useMqttVersion5().identifier("persistent-3")
                .serverHost("127.0.0.1").serverPort(b.port()).buildBlocking();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes =
                     second.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            Mqtt5ConnAck resumed = second.connectWith().cleanStart(false).sessionExpiryInterval(300).send();
            assertThat(resumed.isSessionPresent()).isTrue();
            var message = publishes.receive(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(message).isPresent();
            assertThat(new String(message.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("while away");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        second.disconnectWith().sessionExpiryInterval(0).send(); // ends the session
        Mqtt5BlockingClient third = MqttClient.builder().useMqttVersion5().identifier("persistent-3")
                .serverHost("127.0.0.1").serverPort(a.port()).buildBlocking();
        assertThat(third.connectWith().cleanStart(false).sessionExpiryInterval(300).send().isSessionPresent())
                .as("ended by DISCONNECT with Session Expiry 0").isFalse();
        third.disconnect();
    }

    @Test
    void aMessageThatExpiredWhileTheSessionWasOfflineIsNotDelivered() throws Exception {
        TestNode a = node();
        Mqtt5BlockingClient first = MqttClient.builder().useMqttVersion5().identifier("persistent-8")
                .serverHost("127.0.0.1").serverPort(a.port()).buildBlocking();
        first.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
        first.subscribeWith().topicFilter("persist/8").qos(MqttQos.AT_LEAST_ONCE).send();
        first.disconnect();

        Mqtt5BlockingClient publisher = MqttClient.builder().useMqttVersion5().identifier("publisher-8")
                .serverHost("127.0.0.1").serverPort(a.port()).buildBlocking();
        publisher.connect();
        publisher.publishWith().topic("persist/8").payload(bytes("short-lived")).messageExpiryInterval(1)
                .qos(MqttQos.AT_LEAST_ONCE).send();
        publisher.publishWith().topic("persist/8").payload(bytes("long-lived")).messageExpiryInterval(600)
                .qos(MqttQos.AT_LEAST_ONCE).send();
        publisher.disconnect();
        long published = System.nanoTime();

        Mqtt5BlockingClient again = MqttClient.builder().useMqttVersion5().identifier("persistent-8")
                .serverHost("127.0.0.1").serverPort(a.port()).buildBlocking();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes =
                     again.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            // the first one's Message Expiry Interval (1 s) passes while its subscriber is away
            long waitNanos = Duration.ofMillis(2100).toNanos() - (System.nanoTime() - published);
            if (waitNanos > 0) {
                TimeUnit.NANOSECONDS.sleep(waitNanos);
            }
            again.connectWith().cleanStart(false).sessionExpiryInterval(300).send();
            var message = publishes.receive(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(message).isPresent();
            assertThat(new String(message.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("long-lived");
            assertThat(message.get().getMessageExpiryInterval().orElseThrow())
                    .as("what is left of it (MQTT-3.3.2-6)").isBetween(590L, 599L);
            assertThat(publishes.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
        }
        again.disconnect();
    }

    @Test
    void aWillWaitsForItsDelayAndIsCancelledWhenTheClientReturnsInTime() throws Exception {
        TestNode a = node();
        TestNode b = node();
        Device watcher = new Device(b.url(), "will-watcher");
        watcher.client.connect();
        watcher.client.subscribe("status/#", 1);

        // comes back within its will delay: no will
        org.eclipse.paho.mqttv5.client.MqttAsyncClient returning = v5(a, "returning", "status/returning", 5);
        returning.disconnectForcibly(0, 1000, false);
        org.eclipse.paho.mqttv5.client.MqttClient back = new org.eclipse.paho.mqttv5.client.MqttClient(b.url(),
                "returning", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        back.connect(new MqttConnectionOptionsBuilder().cleanStart(false).sessionExpiryInterval(60L).build());

        // does not come back: its will after 2 s
        org.eclipse.paho.mqttv5.client.MqttAsyncClient gone = v5(a, "gone", "status/gone", 2);
        long lost = System.nanoTime();
        gone.disconnectForcibly(0, 1000, false);
        assertThat(watcher.take(1)).containsExactly("status/gone is offline");
        assertThat(Duration.ofNanos(System.nanoTime() - lost)).as("not before its delay")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        assertThat(watcher.received.poll(5, TimeUnit.SECONDS)).as("no will of the client that returned").isNull();
        back.disconnect();
        back.close();
        watcher.client.disconnect();
    }

    private static org.eclipse.paho.mqttv5.client.MqttAsyncClient v5(TestNode node, String clientId, String willTopic,
                                                                     long willDelay) throws Exception {
        org.eclipse.paho.mqttv5.client.MqttAsyncClient client = new org.eclipse.paho.mqttv5.client.MqttAsyncClient(
                node.url(), clientId, new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        org.eclipse.paho.mqttv5.common.MqttMessage will =
                new org.eclipse.paho.mqttv5.common.MqttMessage(bytes(willTopic + " is offline"));
        will.setQos(1);
        org.eclipse.paho.mqttv5.common.packet.MqttProperties willProperties =
                new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
        willProperties.setWillDelayInterval(willDelay);
        MqttConnectionOptions options = new MqttConnectionOptionsBuilder().cleanStart(true)
                .sessionExpiryInterval(60L).will(willTopic, will).build();
        options.setWillMessageProperties(willProperties);
        client.connect(options).waitForCompletion(WAIT.toMillis());
        return client;
    }

    @Test
    void anExpiredSessionIsRemovedFromKafkaAndNotResumed() throws Exception {
        TestNode a = node();
        org.eclipse.paho.mqttv5.client.MqttClient client = new org.eclipse.paho.mqttv5.client.MqttClient(a.url(),
                "short-lived", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        client.connect(new MqttConnectionOptionsBuilder().cleanStart(true).sessionExpiryInterval(1L).build());
        client.subscribe("persist/5", 1);
        client.disconnect();
        // the node tombstones it in the sessions topic once it expired
        SharedKafka.read(SharedKafka.bootstrapServers(), topics.sessions(),
                record -> record.value() == null && "short-lived".equals(new String(record.key(),
                        StandardCharsets.UTF_8)), 1, WAIT);
        org.eclipse.paho.mqttv5.client.IMqttToken token = client.connectWithResult(new MqttConnectionOptionsBuilder().cleanStart(false)
                .sessionExpiryInterval(1L).build());
        assertThat(token.getSessionPresent()).isFalse();
        client.disconnect();
        client.close();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void mosquittoSubWithACleanSession0GetsWhatItMissed() throws Exception {
        ExternalTools.require("mosquitto_sub");
        TestNode a = node();
        String port = String.valueOf(a.port());
        // subscribe once with a persistent session, then go away
        Process first = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-t", "persist/6/#",
                "-q", "1", "-c", "-i", "mosq-persistent", "-C", "1", "-v").redirectErrorStream(true).start();
        org.eclipse.paho.client.mqttv3.MqttClient publisher =
                new org.eclipse.paho.client.mqttv3.MqttClient(a.url(), "publisher-6", new MemoryPersistence());
        publisher.connect();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (first.isAlive() && System.nanoTime() < deadline) {
            publisher.publish("persist/6/hello", bytes("hello"), 1, false);
            first.waitFor(200, TimeUnit.MILLISECONDS);
        }
        assertThat(first.isAlive()).isFalse();
        for (int i = 0; i < 3; i++) {
            publisher.publish("persist/6/missed", bytes("missed-" + i), 1, false);
        }
        publisher.disconnect();

        Process second = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-t", "persist/6/#",
                "-q", "1", "-c", "-i", "mosq-persistent", "-v").redirectErrorStream(true).start();
        try (java.io.BufferedReader lines = new java.io.BufferedReader(
                new java.io.InputStreamReader(second.getInputStream(), StandardCharsets.UTF_8))) {
            // "hello"s sent while the first one was leaving may come again; the missed ones must all come
            List<String> missed = new ArrayList<>();
            while (missed.size() < 3) {
                String line = lines.readLine();
                assertThat(line).as("mosquitto_sub output").isNotNull();
                if (line.startsWith("persist/6/missed")) {
                    missed.add(line);
                }
            }
            assertThat(missed).containsExactly("persist/6/missed missed-0", "persist/6/missed missed-1",
                    "persist/6/missed missed-2");
        } finally {
            second.destroy();
        }
    }
}
