package io.tributary.it;

import static io.tributary.it.Records.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.bridge.testing.PausableTcpProxy;
import io.tributary.bridge.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The broker reaches Kafka through a proxy the test can pause: while Kafka does not answer, no PUBACK or
 * PUBREC reaches the client and reading stops at the in-flight budget; when Kafka answers, the
 * acknowledgements come and the records are there.
 */
class AckAfterKafkaIT {

    private final PausableTcpProxy proxy = SharedKafka.proxy();
    private TestNode node;
    private MqttAsyncClient client;

    @BeforeEach
    void start() throws Exception {
        node = TestNode.builder()
                .bootstrapServers(SharedKafka.proxiedBootstrapServers())
                .maxInflightBytes(64 * 1024)
                .start();
        client = new MqttAsyncClient(node.url(), "patient-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMaxInflight(200);
        options.setKeepAliveInterval(0);
        client.connect(options).waitForCompletion(10_000);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.resume();
        if (client.isConnected()) {
            client.disconnect().waitForCompletion(10_000);
        }
        client.close();
        node.close();
    }

    @Test
    void pubAckWaitsForKafka() throws Exception {
        proxy.pause();
        IMqttDeliveryToken qos1 = client.publish("wait/for/kafka", bytes("qos1"), 1, false);
        IMqttDeliveryToken qos2 = client.publish("wait/for/kafka", bytes("qos2"), 2, false);

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> !qos1.isComplete() && !qos2.isComplete());

        proxy.resume();
        qos1.waitForCompletion(30_000);
        qos2.waitForCompletion(30_000);
        assertThat(Records.await(SharedKafka.bootstrapServers(), node.topics.messages(),
                r -> "wait/for/kafka".equals(header(r, "mqtt.topic")), 2, Duration.ofSeconds(30)))
                .extracting(Records::value).containsExactly("qos1", "qos2");
    }

    @Test
    void readingStopsAtTheBudgetAndResumesWhenKafkaAnswers() throws Exception {
        proxy.pause();
        byte[] payload = new byte[16 * 1024];
        List<IMqttDeliveryToken> tokens = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            tokens.add(client.publish("budget/" + i, payload, 1, false));
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> node.node.metrics().pausedForBackPressure.sum() > 0);
        assertThat(tokens).noneMatch(IMqttDeliveryToken::isComplete);

        proxy.resume();
        for (IMqttDeliveryToken token : tokens) {
            token.waitForCompletion(30_000);
        }
        assertThat(Records.await(SharedKafka.bootstrapServers(), node.topics.messages(),
                r -> header(r, "mqtt.topic").startsWith("budget/"), 40, Duration.ofSeconds(30))).hasSize(40);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
