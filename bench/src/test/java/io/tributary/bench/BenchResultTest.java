package io.tributary.bench;

import io.tributary.bench.LatencyRecorder.LatencySummary;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class BenchResultTest {

    private static final LatencySummary LATENCY = new LatencySummary(900, 1500.0, 2500.0, 9000.5, 12000.0, 20000.0, 1700.25);

    private static BenchConfig config(String... args) {
        PublishBench bench = new PublishBench(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        new CommandLine(bench).parseArgs(args);
        return bench.toConfig();
    }

    private static BenchResult qos1(long published, long acked, List<String> failures) {
        return new BenchResult(config("-q", "1", "-s", "100"), "epoll", 10, 100, 2.0,
                published, acked, acked, 0, 0, failures, LATENCY);
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(\"(?:[^\"\\\\]|\\\\.)*\"|[^,}]+)").matcher(json);
        assertThat(m.find()).as("field %s in %s", name, json).isTrue();
        return m.group(1);
    }

    @Test
    void ratesArePerMeasuredSecond() {
        BenchResult r = qos1(1000, 900, List.of());

        assertThat(r.publishedPerSecond()).isEqualTo(500.0);
        assertThat(r.ackedPerSecond()).isEqualTo(450.0);
        assertThat(r.payloadBytesPerSecond()).isEqualTo(50_000.0);
        assertThat(r.unacked()).isEqualTo(100);
    }

    @Test
    void jsonIsOneFlatObjectWithTheFiguresTheScriptReads() {
        String json = qos1(1000, 900, List.of()).toJson();

        assertThat(json).startsWith("{").endsWith("}").doesNotContain("\n");
        assertThat(field(json, "qos")).isEqualTo("1");
        assertThat(field(json, "protocol")).isEqualTo("\"3.1.1\"");
        assertThat(field(json, "published")).isEqualTo("1000");
        assertThat(field(json, "published_per_s")).isEqualTo("500.000");
        assertThat(field(json, "acked")).isEqualTo("900");
        assertThat(field(json, "unacked")).isEqualTo("100");
        assertThat(field(json, "latency_p50_us")).isEqualTo("1500.000");
        assertThat(field(json, "latency_p99_us")).isEqualTo("9000.500");
        assertThat(field(json, "connect_failure")).isEqualTo("null");
        assertThat(field(json, "clean")).isEqualTo("true");
    }

    @Test
    void jsonNumbersIgnoreTheDefaultLocale() {
        Locale previous = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            String json = qos1(1000, 900, List.of()).toJson();

            assertThat(field(json, "latency_p99_us")).isEqualTo("9000.500");
        } finally {
            Locale.setDefault(previous);
        }
    }

    @Test
    void qos0HasNoAcknowledgementFigures() {
        BenchResult r = new BenchResult(config("-q", "0"), "nio", 10, 0, 2.0, 1000, 0, 0, 0, 0, List.of(),
                LatencySummary.EMPTY);

        String json = r.toJson();
        assertThat(field(json, "acked")).isEqualTo("null");
        assertThat(field(json, "acked_per_s")).isEqualTo("null");
        assertThat(field(json, "unacked")).isEqualTo("null");
        assertThat(field(json, "latency_p50_us")).isEqualTo("null");
        assertThat(r.toText()).contains("QoS 0 has no acknowledgement").doesNotContain("ack latency");
    }

    @Test
    void connectFailuresAreReportedAndEscaped() {
        BenchResult r = qos1(0, 0, List.of("bench-0: refused \"not authorized\"\n", "bench-1: timeout"));

        String json = r.toJson();
        assertThat(field(json, "connect_failures")).isEqualTo("2");
        assertThat(field(json, "connect_failure")).isEqualTo("\"bench-0: refused \\\"not authorized\\\"\\n\"");
        assertThat(field(json, "clean")).isEqualTo("false");
        assertThat(r.toText()).contains("CONNECT FAILED  bench-1: timeout").contains("run aborted");
        assertThat(OutputOptions.exitCode(r)).isEqualTo(OutputOptions.EXIT_CONNECT_FAILED);
    }

    @Test
    void textReportShowsLatencyInMilliseconds() {
        String text = qos1(1000, 1000, List.of()).toText();

        assertThat(text)
                .contains("acknowledged    1,000 of 1,000 published (PUBACK)")
                .contains("unacknowledged  0 after drain")
                .contains("p50 1.500  p90 2.500  p99 9.001  p99.9 12.000  max 20.000");
    }

    @Test
    void disconnectsMakeTheRunUnclean() {
        BenchResult r = new BenchResult(config(), "epoll", 10, 100, 2.0, 10, 10, 10, 0, 1, List.of(), LATENCY);

        assertThat(r.clean()).isFalse();
        assertThat(OutputOptions.exitCode(r)).isEqualTo(OutputOptions.EXIT_RUN_ERRORS);
    }
}
