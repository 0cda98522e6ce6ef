package io.tributary.bench;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RetainedBench's options, and how a result becomes text, JSON and an exit code. */
class RetainedBenchTest {

    private static RetainedConfig parse(String... args) {
        RetainedBench bench = new RetainedBench(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        new CommandLine(bench).parseArgs(args);
        return bench.toConfig();
    }

    @Test
    void defaultsAre100000TopicsFrom10PublishersAtQos1AndANarrowBucket7() {
        RetainedConfig c = parse();

        assertThat(c.topics().count()).isEqualTo(100_000);
        assertThat(c.topics().prefix()).isEqualTo("bench/retained");
        assertThat(c.publishers().publishers()).isEqualTo(10);
        assertThat(c.publishers().qos()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
        assertThat(c.publishers().payloadBytes()).isEqualTo(64);
        assertThat(c.publishers().maxInflight()).isEqualTo(100);
        assertThat(c.publishers().protocol()).isEqualTo(MqttVersion.MQTT_3_1_1);
        assertThat(c.publishers().threads()).isEqualTo(1);
        assertThat(c.publishers().clientId(3)).isEqualTo("retained-pub-3");
        assertThat(c.subscribeQos()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
        assertThat(c.subscribers().qos()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
        assertThat(c.subscriberClientId("all")).isEqualTo("retained-sub-all");
        assertThat(c.settle().toSeconds()).isEqualTo(2);
        assertThat(c.narrowBucket()).isEqualTo(7);
        assertThat(c.idleTimeout().toSeconds()).isEqualTo(10);
        assertThat(c.receiveTimeout().toSeconds()).isEqualTo(300);
        assertThat(c.storeTimeout().toSeconds()).isEqualTo(300);
    }

    @Test
    void optionsSetTheSetThePhasesAndBothQosLevels() {
        RetainedConfig c = parse("--topics", "2500", "--clients", "3", "--qos", "2", "--sub-qos", "0", "--protocol", "5",
                "--payload", "16", "--narrow", "2", "--topic-prefix", "a/b", "--client-prefix", "r-", "--settle", "0.5",
                "--max-inflight", "20", "--idle-timeout", "3", "--port", "1884");

        assertThat(c.topics()).isEqualTo(new RetainedTopics("a/b", 2500));
        assertThat(c.publishers().publishers()).isEqualTo(3);
        assertThat(c.publishers().qos()).isEqualTo(MqttQoS.EXACTLY_ONCE);
        assertThat(c.subscribers().qos()).isEqualTo(MqttQoS.AT_MOST_ONCE);
        assertThat(c.subscribers().protocol()).isEqualTo(MqttVersion.MQTT_5);
        assertThat(c.subscribers().port()).isEqualTo(1884);
        assertThat(c.deliveryQos()).isZero();
        assertThat(c.publishers().clientId(0)).isEqualTo("r-pub-0");
        assertThat(c.subscriberClientId("narrow")).isEqualTo("r-sub-narrow");
        assertThat(c.settle().toMillis()).isEqualTo(500);
        assertThat(c.narrowBucket()).isEqualTo(2);
        assertThat(c.publishers().maxInflight()).isEqualTo(20);
        assertThat(c.idleTimeout().toSeconds()).isEqualTo(3);
        assertThat(parse("--narrow", "-1").narrow()).isFalse();
    }

    @Test
    void valuesThatCannotWorkAreRefused() {
        assertThatThrownBy(() -> parse("--payload", "15")).hasMessageContaining("--payload must be >= 16");
        assertThatThrownBy(() -> parse("--topics", "10", "--narrow", "-1", "--clients", "11"))
                .hasMessageContaining("--clients must be <= --topics");
        assertThatThrownBy(() -> parse("--narrow", "100")).hasMessageContaining("bucket 0..99 of 100000 topics");
        assertThatThrownBy(() -> parse("--topics", "7000")).hasMessageContaining("--narrow must be -1 (none) or a bucket 0..6");
        assertThatThrownBy(() -> parse("--sub-qos", "3")).hasMessageContaining("--sub-qos must be 0, 1 or 2");
        assertThatThrownBy(() -> parse("--qos", "3")).hasMessageContaining("--qos must be 0, 1 or 2");
        assertThatThrownBy(() -> parse("--topic-prefix", "a/#")).hasMessageContaining("without wildcards");
        assertThatThrownBy(() -> parse("--idle-timeout", "0")).hasMessageContaining("must be > 0");
    }

    @Test
    void aRefusedOptionIsAUsageErrorBeforeAnythingConnects() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new RetainedBench(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        cli.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));

        assertThat(cli.execute("--payload", "8", "--port", "1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--payload must be >= 16");
    }

    @Test
    void missingMessagesMakeTheRunUncleanAndTheJsonSaysHowMany() {
        RetainedConfig c = parse("--topics", "2500", "--narrow", "1");
        RetainedResult ok = result(c, received(c, 2500, 0, 0, 0), received(c, 1000, 0, 0, 0));
        RetainedResult missing = result(c, received(c, 2500, 3, 0, 0), received(c, 1000, 0, 0, 0));
        RetainedResult notRetained = result(c, received(c, 2500, 0, 0, 1), received(c, 1000, 0, 0, 0));
        RetainedResult duplicated = result(c, received(c, 2500, 0, 4, 0), received(c, 1000, 0, 0, 0));

        assertThat(OutputOptions.exitCode(ok)).isZero();
        assertThat(OutputOptions.exitCode(missing)).isEqualTo(OutputOptions.EXIT_RUN_ERRORS);
        assertThat(OutputOptions.exitCode(notRetained)).isEqualTo(OutputOptions.EXIT_RUN_ERRORS);
        assertThat(duplicated.clean()).isTrue(); // QoS 1 may repeat a message
        assertThat(missing.toJson()).contains("\"all_missing\":3,").contains("\"all_received\":2497,")
                .contains("\"narrow_missing\":0,").contains("\"clean\":false")
                .contains("\"store_per_s\":1250.000").contains("\"all_last_ms\":500.000").contains("\"all_per_s\":4994.000");
        assertThat(missing.toText()).contains("2,497 of 2,500 in 500.0 ms").contains("missing 3, duplicates 0")
                .contains("UNCLEAN");
    }

    @Test
    void aSubscribeThatFailedIsAConnectFailureAndItsPhaseIsNull() {
        RetainedConfig c = parse("--topics", "2500", "--narrow", "-1");
        RetainedResult r = new RetainedResult(c, "nio", 10, 100, 2500, 2.0, null, null, 0, 0, 0, 0,
                List.of("retained-sub-all: SUBSCRIBE refused: 0x80 (filter bench/retained/#, QoS 1)"));

        assertThat(OutputOptions.exitCode(r)).isEqualTo(OutputOptions.EXIT_CONNECT_FAILED);
        assertThat(r.toText()).contains("FAILED          retained-sub-all: SUBSCRIBE refused: 0x80");
        assertThat(r.toJson()).contains("\"all_missing\":null").contains("\"narrow_filter\":null")
                .contains("\"connect_failure\":\"retained-sub-all: SUBSCRIBE refused: 0x80");
    }

    private static RetainedResult result(RetainedConfig c, RetainedResult.Received all, RetainedResult.Received narrow) {
        return new RetainedResult(c, "nio", 10, 100, c.topics().count(), 2.0, all, narrow, 0, 0, 0, 0, List.of());
    }

    /** {@code expected} messages of which {@code missing} did not arrive, all within 500 ms of the SUBSCRIBE. */
    private static RetainedResult.Received received(RetainedConfig c, long expected, long missing, long duplicates,
                                                    long notRetained) {
        long ms = 1_000_000;
        DeliveryTracker.Totals totals = new DeliveryTracker.Totals(c.topics().buckets(), expected, expected - missing,
                missing, duplicates, 0, 0, missing > 0 ? 1 : 0, duplicates > 0 ? 1 : 0, 0);
        RetainedProbe.Observed observed = new RetainedProbe.Observed(10 * ms, 11 * ms, 12 * ms, 510 * ms, 510 * ms,
                expected - missing + duplicates, notRetained, 0);
        return new RetainedResult.Received("f", expected, totals, observed);
    }
}
