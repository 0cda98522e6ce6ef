package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT.js (npm) against a node: subscribe, publish at QoS 1 and 2, receive both through Kafka with the granted
 * QoS and, over MQTT 5, the user property and content type. The script is src/test/js/roundtrip.mjs; .ci/run
 * installs its dependencies with npm ci.
 */
class MqttJsIT {

    private static final Path SCRIPTS = Path.of("src", "test", "js");
    private static TestNode node;

    @BeforeAll
    static void start() {
        boolean installed = Files.isDirectory(SCRIPTS.resolve("node_modules").resolve("mqtt"));
        if (!installed && Boolean.parseBoolean(System.getenv("REQUIRE_TEST_TOOLS"))) {
            throw new AssertionError("MQTT.js is not installed: (cd mqtt-frontend/src/test/js && npm ci)");
        }
        assumeTrue(installed, "MQTT.js is not installed: (cd mqtt-frontend/src/test/js && npm ci) to run this test");
        ExternalTools.require("node");
        node = TestNode.builder().start();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @ParameterizedTest(name = "MQTT.js protocol version {0}")
    @ValueSource(ints = {4, 5})
    void roundTrip(int protocolVersion) throws Exception {
        Process script = new ProcessBuilder("node", "roundtrip.mjs", "mqtt://127.0.0.1:" + node.port(),
                String.valueOf(protocolVersion), "mqttjs/v" + protocolVersion)
                .directory(SCRIPTS.toFile()).redirectErrorStream(true).start();
        assertThat(script.waitFor(60, TimeUnit.SECONDS)).as("the script finishes").isTrue();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(script.exitValue()).as(output).isZero();
        assertThat(output).contains("\"ok\":true")
                .contains("{\"topic\":\"mqttjs/v" + protocolVersion + "/one\",\"payload\":\"first\",\"qos\":1")
                .contains("{\"topic\":\"mqttjs/v" + protocolVersion + "/two\",\"payload\":\"second\",\"qos\":2");
        if (protocolVersion == 5) {
            assertThat(output).contains("\"userProperties\":{\"origin\":\"mqtt.js\"}")
                    .contains("\"contentType\":\"text/plain\"");
        }
    }
}
