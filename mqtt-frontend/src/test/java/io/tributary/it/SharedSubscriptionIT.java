package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.bridge.delivery.KafkaSharedFeed;
import io.tributary.bridge.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * $share/workers/jobs/# with one member on each of two nodes: every message reaches exactly one member, both
 * members get work, and when one member goes, the other gets everything published after.
 */
class SharedSubscriptionIT {

    private static final String SHARE = "$share/workers/jobs/#";

    private TestNode nodeA;
    private TestNode nodeB;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        nodeA = TestNode.builder().start();
        nodeB = TestNode.builder().topics(nodeA.topics).start();
    }

    @AfterEach
    void stop() throws Exception {
        for (MqttClient client : clients) {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        }
        nodeB.close();
        nodeA.close();
    }

    private MqttClient member(TestNode node, String clientId, List<String> received) throws Exception {
        MqttClient client = new MqttClient(node.url(), clientId, new MemoryPersistence());
        // Paho matches per-subscription listeners against the filter, which a $share filter never matches:
        // take every message through the client's callback
        client.setCallback(new MqttCallback() {
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
        client.connect(new MqttConnectOptions());
        client.subscribe(SHARE, 1);
        clients.add(client);
        return client;
    }

    /** Both nodes' consumers are in the share's group and have partitions: the share is balanced. */
    private void awaitMembers(int nodes) {
        String group = KafkaSharedFeed.groupId(nodeA.topics.messages(), "workers", "jobs/#");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            ConsumerGroupDescription description = SharedKafka.admin().describeConsumerGroups(Set.of(group))
                    .all().get().get(group);
            return description.members().size() == nodes
                    && description.members().stream().noneMatch(m -> m.assignment().topicPartitions().isEmpty());
        });
    }

    private void publish(int from, int to) throws Exception {
        MqttClient publisher = new MqttClient(nodeA.url(), "boss-" + from, new MemoryPersistence());
        publisher.connect(new MqttConnectOptions());
        for (int i = from; i < to; i++) {
            publisher.publish("jobs/" + (i % 6), String.valueOf(i).getBytes(StandardCharsets.UTF_8), 1, false);
        }
        publisher.disconnect();
        publisher.close();
    }

    private static List<String> range(int from, int to) {
        List<String> all = new ArrayList<>();
        for (int i = from; i < to; i++) {
            all.add(String.valueOf(i));
        }
        return all;
    }

    @Test
    void eachMessageReachesExactlyOneMemberAcrossNodes() throws Exception {
        List<String> onA = Collections.synchronizedList(new ArrayList<>());
        List<String> onB = Collections.synchronizedList(new ArrayList<>());
        member(nodeA, "worker-a", onA);
        member(nodeB, "worker-b", onB);
        awaitMembers(2);

        publish(0, 60);
        await().atMost(Duration.ofSeconds(30)).until(() -> onA.size() + onB.size() >= 60);
        List<String> all = new ArrayList<>(onA);
        all.addAll(onB);
        assertThat(all).containsExactlyInAnyOrderElementsOf(range(0, 60)); // none lost, none twice
        assertThat(onA).as("node A's member got work").isNotEmpty();
        assertThat(onB).as("node B's member got work").isNotEmpty();
    }

    @Test
    void whenAMemberLeavesTheOtherGetsWhatFollows() throws Exception {
        List<String> onA = Collections.synchronizedList(new ArrayList<>());
        List<String> onB = Collections.synchronizedList(new ArrayList<>());
        MqttClient leaving = member(nodeA, "worker-a", onA);
        member(nodeB, "worker-b", onB);
        awaitMembers(2);

        leaving.disconnect();
        publish(100, 130);
        await().atMost(Duration.ofSeconds(45)).until(() -> onB.containsAll(range(100, 130)));
        assertThat(onA).doesNotContainAnyElementsOf(range(100, 130));
    }
}
