package io.tributary.bridge.mapping;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyStrategyTest {

    @Test
    void parsesEveryForm() {
        assertThat(KeyStrategy.parse("topic")).isEqualTo(new KeyStrategy.Topic());
        assertThat(KeyStrategy.parse("client-id")).isEqualTo(new KeyStrategy.ClientId());
        assertThat(KeyStrategy.parse("none")).isEqualTo(new KeyStrategy.None());
        assertThat(KeyStrategy.parse("level:2")).isEqualTo(new KeyStrategy.Level(2));
        assertThat(KeyStrategy.parse("  topic ")).isEqualTo(new KeyStrategy.Topic());
    }

    @ParameterizedTest
    @ValueSource(strings = {"topic", "client-id", "none", "level:0", "level:7"})
    void printsTheConfigurationForm(String text) {
        assertThat(KeyStrategy.parse(text)).hasToString(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Topic", "level:", "level:-1", "level:x", "clientid", "level 1"})
    void rejectsOtherText(String text) {
        assertThatThrownBy(() -> KeyStrategy.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected topic, client-id, none or level:N");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> KeyStrategy.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void derivesKeys() {
        assertThat(new KeyStrategy.Topic().keyFor("devices/d42/temp", "c1")).isEqualTo("devices/d42/temp");
        assertThat(new KeyStrategy.ClientId().keyFor("devices/d42/temp", "c1")).isEqualTo("c1");
        assertThat(new KeyStrategy.None().keyFor("devices/d42/temp", "c1")).isNull();
        assertThat(new KeyStrategy.Level(0).keyFor("devices/d42/temp", "c1")).isEqualTo("devices");
        assertThat(new KeyStrategy.Level(1).keyFor("devices/d42/temp", "c1")).isEqualTo("d42");
        assertThat(new KeyStrategy.Level(2).keyFor("devices/d42/temp", "c1")).isEqualTo("temp");
    }

    @Test
    void levelHandlesEmptyAndMissingLevels() {
        assertThat(new KeyStrategy.Level(1).keyFor("a//c", "c1")).isEmpty();
        assertThat(new KeyStrategy.Level(0).keyFor("/a", "c1")).isEmpty();
        // fewer levels than asked for: the whole topic, so that the key still identifies the topic
        assertThat(new KeyStrategy.Level(3).keyFor("a/b", "c1")).isEqualTo("a/b");
    }
}
