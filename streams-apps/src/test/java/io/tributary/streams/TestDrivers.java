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

    private TestDrivers() {
    }

    /** A driver for {@code topology} with the configuration {@link StreamsRunner#config} gives it. */
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
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092"), stateDir));
        return props;
    }
}
