package io.tributary.bridge.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaRegistrySettingsTest {

    @Test
    void defaultsAreConfluentsPortOnLoopback() {
        SchemaRegistrySettings settings = SchemaRegistrySettings.defaults("127.0.0.1:9092");
        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(8081);
        assertThat(settings.topic()).isEqualTo("_tributary_schemas");
        assertThat(settings.replicationFactor()).isEqualTo((short) -1);
        assertThat(settings.withPort(0).port()).isZero();
        assertThat(settings.withTopic("t").topic()).isEqualTo("t");
    }

    @Test
    void invalidValuesAreRefusedNamingThem() {
        SchemaRegistrySettings settings = SchemaRegistrySettings.defaults("k:9092");
        assertThatThrownBy(() -> settings.withPort(70_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port").hasMessageContaining("70000");
        assertThatThrownBy(() -> settings.withTopic(" ")).hasMessageContaining("topic");
        assertThatThrownBy(() -> SchemaRegistrySettings.defaults("")).hasMessageContaining("bootstrap servers");
        assertThatThrownBy(() -> new SchemaRegistrySettings("127.0.0.1", 0, "k:9092", "t", (short) 0, null, null,
                null)).hasMessageContaining("replication-factor");
    }

    @Test
    void passThroughSecretsAreMaskedInToString() {
        SchemaRegistrySettings settings = new SchemaRegistrySettings("127.0.0.1", 0, "k:9092", "t", (short) -1,
                Map.of("sasl.jaas.config", "secret-stuff", "acks", "all"), Map.of("ssl.keystore.password", "pw1"),
                Map.of("ssl.key.password", "pw2"));
        assertThat(settings.toString()).doesNotContain("secret-stuff").doesNotContain("pw1").doesNotContain("pw2")
                .contains("acks=all").contains("sasl.jaas.config=******");
    }
}
