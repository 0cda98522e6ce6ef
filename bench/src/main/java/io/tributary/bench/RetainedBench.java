package io.tributary.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * Retained messages: stores a set of retained messages, one per topic, from N publisher
 * connections, then lets a fresh subscriber subscribe {@code <prefix>/#} (and another one a narrow
 * {@code <prefix>/<k>/+}) and times how long the broker takes to send it the whole set. Exit codes
 * as {@link PublishBench}: 0 clean, 2 a connection or a SUBSCRIBE failed or was refused, 3 messages
 * missing, not retained or not of their topic, errors or disconnects (QoS 2: also duplicates), 1 other.
 */
@Command(name = "RetainedBench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Stores retained messages on many topics, then times a fresh wildcard SUBSCRIBE that receives "
                + "them all, and counts missing, duplicate and non-retained deliveries.")
public final class RetainedBench implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--topics", defaultValue = "100000",
            description = "Retained messages, one per topic <prefix>/<i/1000>/<i> (default: ${DEFAULT-VALUE}).")
    int topics;

    @Option(names = {"-c", "--clients"}, defaultValue = "10",
            description = "Publisher connections of the store phase; each publishes a contiguous share (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = {"-q", "--qos"}, defaultValue = "1", description = "QoS of the retained PUBLISHes (default: ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = "--sub-qos", defaultValue = "1", description = "QoS of the SUBSCRIBEs (default: ${DEFAULT-VALUE}).")
    int subQos;

    @Option(names = {"-s", "--payload"}, defaultValue = "64",
            description = "Payload bytes, >= 16: bucket, position, publish time (default: ${DEFAULT-VALUE}).")
    int payload;

    @Option(names = {"-i", "--max-inflight"}, defaultValue = "100",
            description = "Max unacknowledged QoS 1/2 messages per publisher, kept full (default: ${DEFAULT-VALUE}).")
    int maxInflight;

    @Option(names = "--settle", defaultValue = "2",
            description = "Seconds between the last acknowledgement and the first SUBSCRIBE (default: ${DEFAULT-VALUE}).")
    double settleSeconds;

    @Option(names = "--narrow", defaultValue = "7",
            description = "Also time a fresh SUBSCRIBE to <prefix>/<K>/+ (up to 1,000 topics); -1 = not (default: ${DEFAULT-VALUE}).")
    int narrow;

    @Option(names = "--topic-prefix", defaultValue = RetainedTopics.DEFAULT_PREFIX,
            description = "Topic levels in front of <i/1000>/<i> (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--client-prefix", defaultValue = "retained-",
            description = "Client id prefix: <prefix>pub-<i>, <prefix>sub-all, <prefix>sub-narrow (default: ${DEFAULT-VALUE}).")
    String clientPrefix;

    @Option(names = "--connect-timeout", defaultValue = "10",
            description = "Seconds for TCP connect, and again for CONNACK/SUBACK (default: ${DEFAULT-VALUE}).")
    double connectTimeoutSeconds;

    @Option(names = "--store-timeout", defaultValue = "300",
            description = "Max seconds for the store phase (default: ${DEFAULT-VALUE}).")
    double storeTimeoutSeconds;

    @Option(names = "--idle-timeout", defaultValue = "10",
            description = "A subscribe phase ends when nothing arrived for this many seconds (default: ${DEFAULT-VALUE}).")
    double idleTimeoutSeconds;

    @Option(names = "--receive-timeout", defaultValue = "300",
            description = "Max seconds of a subscribe phase (default: ${DEFAULT-VALUE}).")
    double receiveTimeoutSeconds;

    @Mixin
    OutputOptions output;

    private final PrintStream out;

    public RetainedBench() {
        this(System.out);
    }

    RetainedBench(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new RetainedBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        RetainedConfig config = output.config(this::toConfig);
        return output.report(out, new RetainedRunner(config, output.progress(out)).run());
    }

    RetainedConfig toConfig() {
        RetainedTopics set = new RetainedTopics(topicPrefix, topics);
        ConnectionOptions c = connection;
        BenchConfig publishers = new BenchConfig(c.host, c.port, c.protocolVersion(), PublishBench.parseQos(qos), clients,
                payload, PublishBench.seconds(0, "warm-up"), PublishBench.seconds(storeTimeoutSeconds, "store timeout"), 0,
                maxInflight, topicPrefix, E2eConfig.publisherPrefix(clientPrefix), c.username, c.password, c.keepAlive,
                1, !c.nio, PublishBench.seconds(connectTimeoutSeconds, "connect timeout"),
                PublishBench.seconds(receiveTimeoutSeconds, "receive timeout"));
        if (subQos < 0 || subQos > 2) {
            throw new IllegalArgumentException("--sub-qos must be 0, 1 or 2: " + subQos);
        }
        return new RetainedConfig(publishers, set, PublishBench.parseQos(subQos), PublishBench.seconds(settleSeconds, "settle"),
                narrow, PublishBench.seconds(idleTimeoutSeconds, "idle timeout"),
                PublishBench.seconds(receiveTimeoutSeconds, "receive timeout"), clientPrefix);
    }
}
