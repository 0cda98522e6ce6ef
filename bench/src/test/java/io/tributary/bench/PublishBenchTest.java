package io.tributary.bench;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PublishBenchTest {

    private static PublishBench parse(String... args) {
        PublishBench bench = new PublishBench(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        new CommandLine(bench).parseArgs(args);
        return bench;
    }

    @Test
    void defaultsDescribeTheStandardScenario() {
        BenchConfig config = parse().toConfig();

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(1883);
        assertThat(config.protocol()).isEqualTo(MqttVersion.MQTT_3_1_1);
        assertThat(config.qos()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
        assertThat(config.publishers()).isEqualTo(10);
        assertThat(config.payloadBytes()).isEqualTo(100);
        assertThat(config.duration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.warmup()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.ratePerPublisher()).isZero();
        assertThat(config.maxInflight()).isEqualTo(100);
        assertThat(config.topic(3)).isEqualTo("bench/3");
        assertThat(config.clientId(3)).isEqualTo("bench-3");
        assertThat(config.preferEpoll()).isTrue();
        assertThat(config.threads()).isEqualTo(1);
    }

    @Test
    void optionsMapOntoTheConfig() {
        BenchConfig config = parse("--host", "localhost", "-p", "18830", "--protocol", "5", "-q", "2", "-c", "3",
                "-s", "1024", "-d", "1.5", "-w", "0", "-r", "250", "-i", "20", "-t", "t/{clientid}/x",
                "--client-prefix", "pub-", "--threads", "2", "--nio", "-u", "user", "-P", "secret").toConfig();

        assertThat(config.host()).isEqualTo("localhost");
        assertThat(config.port()).isEqualTo(18830);
        assertThat(config.protocol()).isEqualTo(MqttVersion.MQTT_5);
        assertThat(config.qos()).isEqualTo(MqttQoS.EXACTLY_ONCE);
        assertThat(config.publishers()).isEqualTo(3);
        assertThat(config.payloadBytes()).isEqualTo(1024);
        assertThat(config.duration()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.warmup()).isZero();
        assertThat(config.ratePerPublisher()).isEqualTo(250.0);
        assertThat(config.maxInflight()).isEqualTo(20);
        assertThat(config.topic(2)).isEqualTo("t/pub-2/x");
        assertThat(config.threads()).isEqualTo(2);
        assertThat(config.preferEpoll()).isFalse();
        assertThat(config.username()).isEqualTo("user");
        assertThat(config.password()).isEqualTo("secret");
    }

    @Test
    void protocolAcceptsCommonSpellings() {
        assertThat(ConnectionOptions.parseProtocol("3.1.1")).isEqualTo(MqttVersion.MQTT_3_1_1);
        assertThat(ConnectionOptions.parseProtocol("4")).isEqualTo(MqttVersion.MQTT_3_1_1);
        assertThat(ConnectionOptions.parseProtocol("5.0")).isEqualTo(MqttVersion.MQTT_5);
        assertThatThrownBy(() -> ConnectionOptions.parseProtocol("3.1")).hasMessageContaining("--protocol");
    }

    @Test
    void invalidValuesAreRejectedWithTheirName() {
        assertThatThrownBy(() -> parse("-q", "3").toConfig()).hasMessageContaining("--qos");
        assertThatThrownBy(() -> parse("-c", "0").toConfig()).hasMessageContaining("publishers");
        assertThatThrownBy(() -> parse("-i", "65536").toConfig()).hasMessageContaining("in-flight");
        assertThatThrownBy(() -> parse("-d", "0").toConfig()).hasMessageContaining("duration");
        assertThatThrownBy(() -> parse("-r", "-1").toConfig()).hasMessageContaining("rate");
        assertThatThrownBy(() -> parse("-t", "bench/#").toConfig()).hasMessageContaining("wildcards");
        assertThatThrownBy(() -> parse("-P", "secret").toConfig()).hasMessageContaining("username");
    }

    @Test
    void invalidValueExitsWithUsageErrorBeforeConnecting() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new PublishBench(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        cl.setErr(new PrintWriter(err, true));

        int code = cl.execute("-q", "7");

        assertThat(code).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("--qos must be 0, 1 or 2");
    }
}
