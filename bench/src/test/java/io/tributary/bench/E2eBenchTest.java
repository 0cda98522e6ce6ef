package io.tributary.bench;

import io.tributary.bench.LatencyRecorder.LatencySummary;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class E2eBenchTest {

    private static E2eConfig parse(String... args) {
        E2eBench bench = new E2eBench(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        new CommandLine(bench).parseArgs(args);
        return bench.toConfig();
    }

    @Test
    void defaultsAreAModestTotalRateSplitAcrossThePublishers() {
        E2eConfig fanIn = parse();
        assertThat(fanIn.scenario()).isEqualTo(Scenario.FAN_IN);
        assertThat(fanIn.publishers()).isEqualTo(10);
        assertThat(fanIn.subscribers()).isEqualTo(1);
        assertThat(fanIn.clients().ratePerPublisher()).isEqualTo(1000.0);
        assertThat(fanIn.clients().payloadBytes()).isEqualTo(64);
        assertThat(fanIn.clients().qos().value()).isEqualTo(1);
        assertThat(fanIn.clients().duration().toSeconds()).isEqualTo(10);
        assertThat(fanIn.clients().warmup().toSeconds()).isEqualTo(3);
        assertThat(fanIn.clients().drainTimeout().toSeconds()).isEqualTo(10);
        assertThat(fanIn.clients().topic(3)).isEqualTo("bench/fanin/3");
        assertThat(fanIn.clients().clientId(3)).isEqualTo("e2e-pub-3");
        assertThat(fanIn.subscriberClientId(0)).isEqualTo("e2e-sub-0");

        E2eConfig fanOut = parse("--scenario", "fan-out", "-n", "4");
        assertThat(fanOut.publishers()).isEqualTo(1);
        assertThat(fanOut.subscribers()).isEqualTo(4);
        assertThat(fanOut.clients().ratePerPublisher()).isEqualTo(10_000.0);
        assertThat(fanOut.clients().topic(0)).isEqualTo("bench/fanout");
    }

    @Test
    void withoutPortListsEveryClientGoesToPort() {
        E2eConfig c = parse("--scenario", "p2p", "-n", "4", "--port", "2883");

        assertThat(c.ports()).isEqualTo(ClientPorts.single(2883));
        assertThat(c.ports().subscriberPort(3)).isEqualTo(2883);
        E2eResult r = result(c, new DeliveryTracker.Totals(4, 40, 40, 0, 0, 0, 0, 0, 0, 0));
        assertThat(r.toText()).doesNotContain("subscribers on").doesNotContain("SUBACK");
        assertThat(r.toJson()).contains("\"port\":2883,").doesNotContain("sub_ports").doesNotContain("sub_port_1");
    }

    @Test
    void portListsSpreadTheClientsRoundRobin() {
        E2eConfig c = parse("--scenario", "p2p", "-n", "5", "--port", "2883", "--pub-ports", "2883",
                "--sub-ports", "2883,2884,2885");

        assertThat(c.ports().publisherPorts()).containsExactly(2883);
        assertThat(c.ports().subscriberPorts()).containsExactly(2883, 2884, 2885);
        assertThat(List.of(0, 1, 2, 3, 4).stream().map(c.ports()::subscriberPort))
                .containsExactly(2883, 2884, 2885, 2883, 2884);
        assertThat(parse("--sub-ports", "1,2").ports().publisherPorts()).containsExactly(1883);
        assertThatThrownBy(() -> parse("--sub-ports", "2883,0")).hasMessageContaining("subscriber port must be 1..65535: 0");
    }

    @Test
    void spreadRunsReportWhatEachPortReceived() {
        E2eConfig c = parse("--scenario", "fan-out", "-n", "5", "--sub-ports", "2883,2884,2885");
        LatencySummary subAck = new LatencySummary(5, 110_000, 0, 0, 0, 240_000, 0);
        E2eResult r = new E2eResult(c, "nio", 5, 1, 1, 10, 100, 130, 500, 0.1,
                new DeliveryTracker.Totals(5, 650, 650, 0, 1, 0, 0, 0, 1, 0), LatencySummary.EMPTY, 0, 0, 0, 0,
                List.of(), subAck, List.of(
                        new E2eResult.PortShare(2883, 2, 260, 1, new LatencySummary(200, 1_500, 0, 9_000, 0, 0, 0)),
                        new E2eResult.PortShare(2884, 2, 260, 0, LatencySummary.EMPTY),
                        new E2eResult.PortShare(2885, 1, 130, 0, LatencySummary.EMPTY)));

        assertThat(r.toText())
                .contains("publishers on   1883 (1)")
                .contains("subscribers on  2883 (2: 260 received, p50 1.500 p99 9.000 ms), 2884 (2: 260 received), 2885 (1: 130 received)")
                .contains("SUBACK after    p50 110.000  max 240.000 ms");
        assertThat(r.toJson())
                .contains("\"pub_ports\":\"1883\",\"sub_ports\":\"2883,2884,2885\"")
                .contains("\"pub_port_1\":1883,\"pub_port_1_publishers\":1")
                .contains("\"sub_port_1\":2883,\"sub_port_1_subscribers\":2,\"sub_port_1_delivered\":260,"
                        + "\"sub_port_1_duplicates\":1,\"sub_port_1_latency_p50_us\":1500.000,\"sub_port_1_latency_p99_us\":9000.000")
                .contains("\"sub_port_2_latency_p50_us\":null")
                .contains("\"sub_port_3\":2885,\"sub_port_3_subscribers\":1,\"sub_port_3_delivered\":130")
                .contains("\"suback_p50_us\":110000.000,\"suback_max_us\":240000.000");
    }

    @Test
    void ratePerPublisherOverridesTheTotalAndZeroIsUnlimited() {
        assertThat(parse("--scenario", "p2p", "-n", "5", "--rate", "200").clients().ratePerPublisher()).isEqualTo(200.0);
        assertThat(parse("--total-rate", "0").clients().ratePerPublisher()).isZero();
    }

    @Test
    void aPayloadTooSmallForTheHeaderIsRefused() {
        assertThatThrownBy(() -> parse("--payload", "15")).hasMessageContaining(">= 16");
        assertThatThrownBy(() -> parse("--scenario", "star")).hasMessageContaining("fan-in, p2p or fan-out");
    }

    @Test
    void lossAtQos0IsReportedButNotHeldAgainstTheRun() {
        DeliveryTracker.Totals lossy = new DeliveryTracker.Totals(1, 10, 8, 2, 0, 0, 0, 1, 0, 0);

        E2eResult qos0 = result(parse("-q", "0"), lossy);
        E2eResult qos1 = result(parse("-q", "1"), lossy);

        assertThat(qos0.clean()).isTrue();
        assertThat(qos0.toText()).contains("lost            2 (1 pair)  allowed at QoS 0");
        assertThat(OutputOptions.exitCode(qos0)).isZero();
        assertThat(qos1.clean()).isFalse();
        assertThat(OutputOptions.exitCode(qos1)).isEqualTo(OutputOptions.EXIT_RUN_ERRORS);
        assertThat(qos1.toJson()).contains("\"lost\":2,").contains("\"clean\":false");
    }

    @Test
    void aRefusedSubscribeIsAConnectFailure() {
        E2eResult r = new E2eResult(parse(), "nio", 0, 0, -1, 0, 0, 0, 0, 0, DeliveryTracker.Totals.ZERO,
                LatencySummary.EMPTY, 0, 0, 0, 0, List.of("e2e-sub-0: SUBSCRIBE refused: 0x80 (filter bench/fanin/+, QoS 1)"));

        assertThat(OutputOptions.exitCode(r)).isEqualTo(OutputOptions.EXIT_CONNECT_FAILED);
        assertThat(r.toText()).contains("FAILED          e2e-sub-0: SUBSCRIBE refused: 0x80").contains("run aborted");
        assertThat(r.toJson()).contains("\"connect_failure\":\"e2e-sub-0: SUBSCRIBE refused: 0x80")
                .contains("\"lost\":null");
    }

    private static E2eResult result(E2eConfig config, DeliveryTracker.Totals totals) {
        return new E2eResult(config, "nio", 1, 10, config.clients().qos().value(), 10, 100, 130, 100, 0.1, totals,
                LatencySummary.EMPTY, 0, 0, 0, 0, List.of());
    }
}
