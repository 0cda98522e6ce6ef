package io.tributary.bench;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * MQTT publish load generator: N publisher connections on one or two Netty event loops, each
 * keeping its QoS 1/2 window full (or paced to a target rate), reporting throughput and
 * acknowledgement latency. Exit codes: 0 clean, 2 a connection failed or was refused, 3 errors or
 * disconnects during the run, 1 other failures; picocli's 2 for usage errors.
 */
@Command(name = "PublishBench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Publishes MQTT messages from N connections and reports throughput and ack latency.")
public final class PublishBench implements Callable<Integer> {

    static final int EXIT_CONNECT_FAILED = 2;
    static final int EXIT_RUN_ERRORS = 3;

    @Option(names = {"-H", "--host"}, defaultValue = "127.0.0.1", description = "Broker host (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "1883", description = "Broker port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--protocol", defaultValue = "3.1.1", description = "MQTT version: 3.1.1 or 5 (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = {"-q", "--qos"}, defaultValue = "1", description = "QoS 0, 1 or 2 (default: ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = {"-c", "--publishers"}, defaultValue = "10", description = "Publisher connections (default: ${DEFAULT-VALUE}).")
    int publishers;

    @Option(names = {"-s", "--payload"}, defaultValue = "100", description = "Payload size in bytes (default: ${DEFAULT-VALUE}).")
    int payload;

    @Option(names = {"-d", "--duration"}, defaultValue = "20", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    double durationSeconds;

    @Option(names = {"-w", "--warmup"}, defaultValue = "5", description = "Warm-up seconds, not counted (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = {"-r", "--rate"}, defaultValue = "0",
            description = "Target messages/s per publisher; 0 = as fast as flow control allows (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = {"-i", "--max-inflight"}, defaultValue = "100",
            description = "Max unacknowledged QoS 1/2 messages per connection, kept full (default: ${DEFAULT-VALUE}).")
    int maxInflight;

    @Option(names = {"-t", "--topic"}, defaultValue = "bench/{client}",
            description = "Topic pattern; {client} = publisher index, {clientid} = client id (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--client-prefix", defaultValue = "bench-", description = "Client id prefix (default: ${DEFAULT-VALUE}).")
    String clientPrefix;

    @Option(names = {"-u", "--username"}, description = "Username for CONNECT.")
    String username;

    @Option(names = {"-P", "--password"}, description = "Password for CONNECT.")
    String password;

    @Option(names = "--keep-alive", defaultValue = "60", description = "Keep-alive seconds (default: ${DEFAULT-VALUE}).")
    int keepAlive;

    @Option(names = "--threads", defaultValue = "1", description = "Event loop threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--nio", description = "Use the NIO transport even where epoll is available.")
    boolean nio;

    @Option(names = "--connect-timeout", defaultValue = "10", description = "Seconds for TCP connect, and again for CONNACK (default: ${DEFAULT-VALUE}).")
    double connectTimeoutSeconds;

    @Option(names = "--drain-timeout", defaultValue = "10",
            description = "Seconds to wait for outstanding acks after publishing stops (default: ${DEFAULT-VALUE}).")
    double drainTimeoutSeconds;

    @Option(names = "--json", description = "Also write the result as one JSON object to this file.")
    Path json;

    @Option(names = "--quiet", description = "No per-second progress lines.")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out;

    public PublishBench() {
        this(System.out);
    }

    PublishBench(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new PublishBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        BenchConfig config;
        try {
            config = toConfig();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        BenchResult result = new BenchRunner(config, quiet ? null : out).run();
        out.print(result.toText());
        out.flush();
        if (json != null) {
            writeJson(json, result);
        }
        return exitCode(result);
    }

    static int exitCode(BenchResult result) {
        if (!result.connectFailures().isEmpty()) {
            return EXIT_CONNECT_FAILED;
        }
        return result.clean() ? 0 : EXIT_RUN_ERRORS;
    }

    static void writeJson(Path file, BenchResult result) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, result.toJson() + "\n", StandardCharsets.UTF_8);
    }

    BenchConfig toConfig() {
        return new BenchConfig(host, port, parseProtocol(protocol), parseQos(qos), publishers, payload,
                seconds(warmupSeconds, "warm-up"), seconds(durationSeconds, "duration"), rate, maxInflight,
                topic, clientPrefix, username, password, keepAlive, threads, !nio,
                seconds(connectTimeoutSeconds, "connect timeout"), seconds(drainTimeoutSeconds, "drain timeout"));
    }

    static MqttVersion parseProtocol(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "3.1.1", "311", "4" -> MqttVersion.MQTT_3_1_1;
            case "5", "5.0" -> MqttVersion.MQTT_5;
            default -> throw new IllegalArgumentException("--protocol must be 3.1.1 or 5: " + value);
        };
    }

    static MqttQoS parseQos(int value) {
        if (value < 0 || value > 2) {
            throw new IllegalArgumentException("--qos must be 0, 1 or 2: " + value);
        }
        return MqttQoS.valueOf(value);
    }

    static Duration seconds(double value, String what) {
        if (value < 0 || !Double.isFinite(value)) {
            throw new IllegalArgumentException(what + " must be >= 0 seconds: " + value);
        }
        return Duration.ofNanos(Math.round(value * 1e9));
    }
}
