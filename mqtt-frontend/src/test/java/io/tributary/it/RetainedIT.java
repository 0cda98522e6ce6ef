package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import io.tributary.bridge.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retained messages through Kafka: the retained-state app (running in the nodes) derives the retained topic from
 * retained publishes, and every node serves it to new subscriptions, wildcards included; a node serves its own
 * retained writes at once.
 */
class RetainedIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger IDS = new AtomicInteger();

    @TempDir
    static Path stateDir;
    private static TestNode nodeA;
    private static TestNode nodeB;

    @BeforeAll
    static void start() {
        nodeA = TestNode.builder().retainedApp(stateDir.resolve("a")).start();
        nodeB = TestNode.builder().topics(nodeA.topics).retainedApp(stateDir.resolve("b")).start();
    }

    @AfterAll
    static void stop() {
        nodeB.close();
        nodeA.close();
    }

    private static Mqtt5BlockingClient client(TestNode node) {
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier("retained-" + IDS.incrementAndGet())
                .serverHost("127.0.0.1").serverPort(node.port()).buildBlocking();
        client.connect();
        return client;
    }

    private static void retain(TestNode node, String topic, String payload) {
        Mqtt5BlockingClient publisher = client(node);
        publisher.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8)).retain(true)
                .qos(MqttQos.AT_LEAST_ONCE).send();
        publisher.disconnect();
    }

    /** The retained messages a new subscription to {@code filter} on {@code node} gets within {@code quiet}. */
    private static List<String> retainedFor(TestNode node, String filter, Mqtt5RetainHandling handling,
                                            Duration quiet) throws InterruptedException {
        Mqtt5BlockingClient subscriber = client(node);
        List<String> received = new ArrayList<>();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
            subscriber.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).retainHandling(handling)
                    .send();
            Optional<Mqtt5Publish> next;
            while ((next = publishes.receive(quiet.toMillis(), TimeUnit.MILLISECONDS)).isPresent()) {
                Mqtt5Publish publish = next.get();
                // RETAIN is set on a retained message for a new subscription; a live copy of a publish that was
                // still on its way through Kafka when the subscription was made may come too, with RETAIN 0
                if (publish.isRetain()) {
                    received.add(publish.getTopic() + "="
                            + new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        subscriber.disconnect();
        return received;
    }

    private static List<String> retainedFor(TestNode node, String filter) throws InterruptedException {
        return retainedFor(node, filter, Mqtt5RetainHandling.SEND, Duration.ofMillis(500));
    }

    @Test
    void aNodeServesItsOwnRetainedWriteAtOnceAndTheOtherNodeSoonAfter() throws Exception {
        retain(nodeA, "r1/home/kitchen/temp", "21");
        retain(nodeA, "r1/home/hall/temp", "19");
        retain(nodeA, "r1/home/hall/light", "on");
        // read your writes: the node that acknowledged them serves them right away
        assertThat(retainedFor(nodeA, "r1/home/+/temp"))
                .containsExactlyInAnyOrder("r1/home/kitchen/temp=21", "r1/home/hall/temp=19");
        // the other node, through the retained topic the app keeps
        Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(retainedFor(nodeB, "r1/#"))
                .containsExactlyInAnyOrder("r1/home/kitchen/temp=21", "r1/home/hall/temp=19", "r1/home/hall/light=on"));
    }

    @Test
    void anEmptyRetainedMessageDeletesOnEveryNode() throws Exception {
        retain(nodeA, "r2/door", "open");
        Awaitility.await().atMost(WAIT).until(() -> retainedFor(nodeB, "r2/door").size() == 1);
        retain(nodeB, "r2/door", "");
        assertThat(retainedFor(nodeB, "r2/#")).as("at once where it was deleted").isEmpty();
        Awaitility.await().atMost(WAIT).until(() -> retainedFor(nodeA, "r2/#").isEmpty());
        // the retained topic holds a tombstone for it
        SharedKafka.read(SharedKafka.bootstrapServers(), nodeA.topics.retained(),
                r -> r.value() == null && "r2/door".equals(new String(r.key(), StandardCharsets.UTF_8)), 1, WAIT);
    }

    @Test
    void retainHandlingDecidesWhenRetainedMessagesAreSent() throws Exception {
        retain(nodeA, "r3/state", "x");
        assertThat(retainedFor(nodeA, "r3/state", Mqtt5RetainHandling.DO_NOT_SEND, Duration.ofMillis(500)))
                .isEmpty();
        assertThat(retainedFor(nodeA, "r3/state", Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST,
                Duration.ofMillis(500))).containsExactly("r3/state=x");
    }

    @Test
    void anExpiredRetainedMessageIsRemovedFromKafkaAndNotServed() throws Exception {
        Mqtt5BlockingClient publisher = client(nodeA);
        publisher.publishWith().topic("r4/short").payload("soon gone".getBytes(StandardCharsets.UTF_8)).retain(true)
                .messageExpiryInterval(1).qos(MqttQos.AT_LEAST_ONCE).send();
        publisher.disconnect();
        SharedKafka.read(SharedKafka.bootstrapServers(), nodeA.topics.retained(),
                r -> r.value() == null && "r4/short".equals(new String(r.key(), StandardCharsets.UTF_8)), 1, WAIT);
        Awaitility.await().atMost(WAIT).until(() -> retainedFor(nodeB, "r4/#").isEmpty());
        assertThat(retainedFor(nodeA, "r4/#")).isEmpty();
    }

    @Test
    void aNodeStartedLaterServesTheRetainedStateAndMosquittoSubSeesIt() throws Exception {
        retain(nodeA, "r5/a", "1");
        retain(nodeB, "r5/b", "2");
        Awaitility.await().atMost(WAIT).until(() -> retainedFor(nodeA, "r5/+").size() == 2
                && retainedFor(nodeB, "r5/+").size() == 2);
        try (TestNode later = TestNode.builder().topics(nodeA.topics).start()) {
            assertThat(retainedFor(later, "r5/#")).containsExactlyInAnyOrder("r5/a=1", "r5/b=2");
            ExternalTools.require("mosquitto_sub");
            Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(later.port()),
                    "-t", "r5/#", "-C", "2", "-v", "-W", "20").redirectErrorStream(true).start();
            assertThat(sub.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines())
                    .containsExactlyInAnyOrder("r5/a 1", "r5/b 2");
        }
    }
}
