package io.tributary.bench;

import io.netty.handler.codec.mqtt.MqttQoS;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
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

    @Mixin
    ConnectionOptions connection;

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

    @Option(names = "--threads", defaultValue = "1", description = "Event loop threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--connect-timeout", defaultValue = "10", description = "Seconds for TCP connect, and again for CONNACK (default: ${DEFAULT-VALUE}).")
    double connectTimeoutSeconds;

    @Option(names = "--drain-timeout", defaultValue = "10",
            description = "Seconds to wait for outstanding acks after publishing stops (default: ${DEFAULT-VALUE}).")
    double drainTimeoutSeconds;

    @Mixin
    OutputOptions output;

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
        BenchConfig config = output.config(this::toConfig);
        return output.report(out, new BenchRunner(config, output.progress(out)).run());
    }

    BenchConfig toConfig() {
        ConnectionOptions c = connection;
        return new BenchConfig(c.host, c.port, c.protocolVersion(), parseQos(qos), publishers, payload,
                seconds(warmupSeconds, "warm-up"), seconds(durationSeconds, "duration"), rate, maxInflight,
                topic, clientPrefix, c.username, c.password, c.keepAlive, threads, !c.nio,
                seconds(connectTimeoutSeconds, "connect timeout"), seconds(drainTimeoutSeconds, "drain timeout"));
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
