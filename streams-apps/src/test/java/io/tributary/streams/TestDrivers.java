package io.tributary.streams;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/** {@link TopologyTestDriver}s with the configuration the runner gives the apps. */
public final class TestDrivers {

    /** Kafka Streams' internal setting: how often (wall clock) a window aggregation looks for closed windows. */
    static final String EMIT_INTERVAL = "__emit.interval.ms.kstreams.windowed.aggregation__";

    private TestDrivers() {
    }

    /**
     * A driver for {@code topology} with {@link StreamsRunner#config}; windows are checked for closing on every
     * record instead of at most once a wall-clock second, so results come out record by record.
     */
    public static TopologyTestDriver driver(Topology topology, Path stateDir) {
        return new TopologyTestDriver(topology, properties(stateDir));
    }

    /** The same with the driver's wall clock starting at {@code wallClock}. */
    public static TopologyTestDriver driver(Topology topology, Path stateDir, Instant wallClock) {
        return new TopologyTestDriver(topology, properties(stateDir), wallClock);
    }

    private static Properties properties(Path stateDir) {
        Properties props = new Properties();
        props.putAll(StreamsRunner.config("test-app", Map.of(
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092",
                EMIT_INTERVAL, 0L), stateDir));
        return props;
    }
}
