package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** The Prometheus endpoint shows what the node did. */
class MetricsIT {

    @Test
    void countersAndGaugesReachPrometheus() throws Exception {
        try (TestNode node = TestNode.builder().metrics().start()) {
            MqttClient client = new MqttClient(node.url(), "metered", new MemoryPersistence());
            client.connect(new MqttConnectOptions());
            client.subscribe("metered/#", 1);
            client.publish("metered/a", "1".getBytes(StandardCharsets.UTF_8), 1, false);
            client.publish("metered/b", "2".getBytes(StandardCharsets.UTF_8), 1, false);
            // function counters must survive garbage collection (Micrometer holds their sources weakly)
            System.gc();
            System.gc();

            URI uri = URI.create("http://127.0.0.1:" + node.node.metricsAddress().getPort() + "/metrics");
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            String node1 = "node=\"" + node.nodeId() + "\"";
            assertThat(response.body())
                    .contains("tributary_publishes_received_total{" + node1 + "} 2.0")
                    .contains("tributary_publishes_acknowledged_total{" + node1 + "} 2.0")
                    .contains("tributary_connections{" + node1 + "} 1.0")
                    .contains("tributary_subscriptions{" + node1 + "} 1.0")
                    .contains("tributary_feed_bytes_read_bytes_total{" + node1 + "}")
                    .contains("tributary_retained_topics{" + node1 + "} 0.0")
                    .contains("jvm_memory_used_bytes");
            java.util.regex.Matcher read = java.util.regex.Pattern.compile(
                    "tributary_feed_records_read_total\\{" + java.util.regex.Pattern.quote(node1) + "\\} (\\S+)")
                    .matcher(response.body());
            assertThat(read.find()).isTrue();
            assertThat(Double.parseDouble(read.group(1))).as("records the feed read, after a GC").isGreaterThan(0);
            client.disconnect();
            client.close();
        }
    }
}
