package io.tributary.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaReadProbeTest {

    @Test
    void oneTabSeparatedLinePerConsumerAndTopicWithWholeNumbers() {
        assertThat(KafkaReadProbe.line("4242", "consumer-null-2", "mqtt.deliveries", 578.0, 34102.0))
                .isEqualTo("4242\tconsumer-null-2\tmqtt.deliveries\t578\t34102");
    }

    @Test
    void aJvmItCannotAttachToIsALineWithTheReason() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        KafkaReadProbe.probe("not-a-pid", new PrintStream(bytes, true, StandardCharsets.UTF_8));

        assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith("not-a-pid\t!\t");
    }
}
