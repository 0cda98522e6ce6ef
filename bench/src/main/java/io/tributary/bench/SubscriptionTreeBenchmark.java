package io.tributary.bench;

import io.tributary.bridge.topic.SubscriptionTree;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * {@link SubscriptionTree} on a broker node's workload: {@code devices} devices each subscribed to its own
 * {@code devices/<id>/commands}, plus {@value #WILDCARD_SUBSCRIPTIONS} wildcard subscriptions (see
 * {@link #populate}). Matching runs one random device topic per call; put/remove subscribes a new device and
 * unsubscribes it again (two nodes created, two pruned).
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar SubscriptionTree        # about 2 minutes
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class SubscriptionTreeBenchmark {

    /** The wildcard subscriptions {@link #populate} adds on top of one literal per device. */
    static final int WILDCARD_SUBSCRIPTIONS = 20 + 20 + 20 + 5 + 200 + 200 + 100;

    private static final int TOPICS = 1 << 12; // a power of two: the index wraps with a mask
    private static final Integer QOS_1 = 1;

    @Param({"10000", "1000000"})
    public int devices;

    private SubscriptionTree<String, Integer> tree;
    private String[] commandTopics;
    private String[] telemetryTopics;
    private String[] newDeviceFilters;
    private int next;
    private int visits;
    private final BiConsumer<String, Integer> visitor = (subscriber, qos) -> visits += qos;

    @Setup(Level.Trial)
    public void setUp() {
        tree = new SubscriptionTree<>();
        populate(tree, deviceIds(devices));
        Random random = new Random(42);
        commandTopics = new String[TOPICS];
        telemetryTopics = new String[TOPICS];
        newDeviceFilters = new String[TOPICS];
        for (int i = 0; i < TOPICS; i++) {
            commandTopics[i] = "devices/" + deviceId(random.nextInt(devices)) + "/commands";
            telemetryTopics[i] = "devices/" + deviceId(random.nextInt(devices)) + "/telemetry";
            newDeviceFilters[i] = "devices/new-" + i + "/commands";
        }
    }

    /** "devices/&lt;random&gt;/commands": the device's own filter, devices/+/commands, devices/#, # (~46 visits). */
    @Benchmark
    public int matchCommands() {
        visits = 0;
        tree.match(commandTopics[next++ & (TOPICS - 1)], visitor);
        return visits;
    }

    /** "devices/&lt;random&gt;/telemetry": no literal; +/+/telemetry, devices/#, # (~45 visits). */
    @Benchmark
    public int matchTelemetry() {
        visits = 0;
        tree.match(telemetryTopics[next++ & (TOPICS - 1)], visitor);
        return visits;
    }

    /** Subscribes a new device to its commands topic and unsubscribes it: creates and prunes two nodes. */
    @Benchmark
    public Integer putRemove() {
        String filter = newDeviceFilters[next++ & (TOPICS - 1)];
        tree.put(filter, "new-device", QOS_1);
        return tree.remove(filter, "new-device");
    }

    static String deviceId(int i) {
        return "d" + i;
    }

    /** Client ids of the devices, built apart so that the heap they take can be told from the tree's. */
    static String[] deviceIds(int devices) {
        String[] ids = new String[devices];
        for (int i = 0; i < devices; i++) {
            ids[i] = deviceId(i);
        }
        return ids;
    }

    /**
     * One literal subscription per device ({@code devices/<id>/commands}, subscriber = the device id) and
     * {@value #WILDCARD_SUBSCRIPTIONS} wildcard subscriptions of back-end applications.
     */
    static void populate(SubscriptionTree<String, Integer> tree, String[] deviceIds) {
        for (String id : deviceIds) {
            tree.put("devices/" + id + "/commands", id, QOS_1);
        }
        for (int i = 0; i < 20; i++) {
            tree.put("devices/+/commands", "audit-" + i, QOS_1); // 20 subscribers of one filter
            tree.put("devices/#", "archiver-" + i, QOS_1);
            tree.put("+/+/telemetry", "dashboard-" + i, QOS_1);
        }
        for (int i = 0; i < 5; i++) {
            tree.put("#", "debug-" + i, QOS_1);
        }
        for (int i = 0; i < 200; i++) {
            tree.put("devices/" + deviceId(i) + "/+", "support-" + i, QOS_1); // 200 distinct filters
            tree.put("fleet/" + i + "/#", "fleet-" + i, QOS_1);
        }
        for (int i = 0; i < 100; i++) {
            tree.put("+/status/" + i, "monitor-" + i, QOS_1);
        }
    }
}
