package io.tributary.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.bridge.testing.SharedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamsRunnerIT {

    @TempDir
    Path stateDir;

    @Test
    void anAppThatCannotRunFailsTheStartNamingIt() {
        String missing = "it-runner-missing-" + System.nanoTime();
        StreamsBuilder builder = new StreamsBuilder();
        TopicSpec<String, String> in = new TopicSpec<>(missing, Serdes.String(), Serdes.String());
        builder.stream(in.name(), in.consumed()).to(missing + "-out", in.produced());
        Topology topology = builder.build();

        long started = System.nanoTime();
        assertThatThrownBy(() -> StreamsRunner.start("it-runner-app", topology,
                Map.of("bootstrap.servers", SharedKafka.bootstrapServers()), stateDir, Duration.ofSeconds(60)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("it-runner-app")
                .hasMessageContaining("source topic");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("fails at once, not at the timeout")
                .isLessThan(Duration.ofSeconds(50));
    }

    @Test
    void anUnreachableKafkaFailsTheStartAfterTheTimeout() {
        StreamsBuilder builder = new StreamsBuilder();
        TopicSpec<String, String> in = new TopicSpec<>("anything", Serdes.String(), Serdes.String());
        builder.stream(in.name(), in.consumed()).to("elsewhere", in.produced());
        assertThatThrownBy(() -> StreamsRunner.start("it-runner-nowhere", builder.build(),
                Map.of("bootstrap.servers", "127.0.0.1:1"), stateDir, Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("it-runner-nowhere")
                .hasMessageContaining("not RUNNING after PT2S");
    }
}
