package io.tributary.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * End-to-end MQTT benchmark: publishers and subscribers in one JVM, each message carrying its
 * publisher, sequence number and send time, so that every delivery yields a latency and the
 * subscribers can count lost, duplicate and out-of-order messages per (publisher, subscriber)
 * pair. Exit codes as {@link PublishBench}: 0 clean, 2 a connection or a SUBSCRIBE failed or was
 * refused, 3 errors, disconnects, or (QoS 1/2) lost messages or (QoS 2) duplicates, 1 other.
 */
@Command(name = "E2eBench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Publishes to MQTT subscribers in one of three shapes and reports delivery rate, "
                + "end-to-end latency, lost, duplicate and out-of-order messages.")
public final class E2eBench implements Callable<Integer> {

    static final double DEFAULT_TOTAL_RATE = 10_000;

    @Option(names = "--scenario", defaultValue = "fan-in",
            description = "fan-in (N publishers -> 1 subscriber on a wildcard), p2p (N pairs, own topic each), "
                    + "fan-out (1 publisher -> N subscribers) (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = {"-n", "--clients"}, defaultValue = "10", description = "N of the scenario (default: ${DEFAULT-VALUE}).")
    int n;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--pub-ports", split = ",", paramLabel = "PORT",
            description = "Ports of the nodes the publishers connect to, comma-separated, round robin "
                    + "(publisher i on the (i mod count)-th; default: --port).")
    List<Integer> pubPorts;

    @Option(names = "--sub-ports", split = ",", paramLabel = "PORT",
            description = "Ports of the nodes the subscribers connect to, likewise (default: --port).")
    List<Integer> subPorts;

    @Option(names = {"-q", "--qos"}, defaultValue = "1",
            description = "QoS 0, 1 or 2, for PUBLISH and SUBSCRIBE (default: ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = {"-s", "--payload"}, defaultValue = "64",
            description = "Payload bytes, >= 16: publisher, sequence number, send time (default: ${DEFAULT-VALUE}).")
    int payload;

    @Option(names = {"-r", "--rate"},
            description = "Messages/s per publisher; 0 = as fast as flow control allows (default: --total-rate split evenly).")
    Double rate;

    @Option(names = "--total-rate", defaultValue = "10000",
            description = "Messages/s across all publishers when --rate is not given; 0 = unlimited (default: ${DEFAULT-VALUE}).")
    double totalRate;

    @Option(names = {"-d", "--duration"}, defaultValue = "10", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    double durationSeconds;

    @Option(names = {"-w", "--warmup"}, defaultValue = "3", description = "Warm-up seconds, not counted in rates and latency (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--drain", defaultValue = "10",
            description = "Seconds to wait after publishing stops for deliveries still under way; ends early when all arrived (default: ${DEFAULT-VALUE}).")
    double drainSeconds;

    @Option(names = {"-i", "--max-inflight"}, defaultValue = "100",
            description = "Max unacknowledged QoS 1/2 messages per publisher (default: ${DEFAULT-VALUE}).")
    int maxInflight;

    @Option(names = "--topic-prefix", defaultValue = "bench", description = "First topic level (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--client-prefix", defaultValue = "e2e-",
            description = "Client id prefix; ids are <prefix>pub-<i> and <prefix>sub-<i> (default: ${DEFAULT-VALUE}).")
    String clientPrefix;

    @Option(names = "--threads", defaultValue = "1", description = "Event loop threads, shared by publishers and subscribers (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--connect-timeout", defaultValue = "10",
            description = "Seconds for TCP connect, and again for CONNACK/SUBACK (default: ${DEFAULT-VALUE}).")
    double connectTimeoutSeconds;

    @Mixin
    OutputOptions output;

    private final PrintStream out;

    public E2eBench() {
        this(System.out);
    }

    E2eBench(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new E2eBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        E2eConfig config = output.config(this::toConfig);
        return output.report(out, new E2eRunner(config, output.progress(out)).run());
    }

    E2eConfig toConfig() {
        Scenario s = Scenario.parse(scenario);
        if (n < 1) {
            throw new IllegalArgumentException("--clients must be >= 1: " + n);
        }
        int publishers = s.publishers(n);
        double perPublisher;
        if (rate != null) {
            perPublisher = rate;
        } else {
            if (totalRate < 0 || !Double.isFinite(totalRate)) {
                throw new IllegalArgumentException("--total-rate must be >= 0: " + totalRate);
            }
            perPublisher = totalRate / publishers;
        }
        if (payload < SequencedPayload.HEADER_BYTES) {
            throw new IllegalArgumentException("--payload must be >= " + SequencedPayload.HEADER_BYTES
                    + " bytes (publisher, sequence number, send time): " + payload);
        }
        ConnectionOptions c = connection;
        BenchConfig clients = new BenchConfig(c.host, c.port, c.protocolVersion(), PublishBench.parseQos(qos),
                publishers, payload, PublishBench.seconds(warmupSeconds, "warm-up"),
                PublishBench.seconds(durationSeconds, "duration"), perPublisher, maxInflight,
                s.publishTopicPattern(topicPrefix), E2eConfig.publisherPrefix(clientPrefix), c.username, c.password,
                c.keepAlive, threads, !c.nio, PublishBench.seconds(connectTimeoutSeconds, "connect timeout"),
                PublishBench.seconds(drainSeconds, "drain"));
        return new E2eConfig(s, n, topicPrefix, clientPrefix, clients, ClientPorts.of(c.port, pubPorts, subPorts));
    }
}
