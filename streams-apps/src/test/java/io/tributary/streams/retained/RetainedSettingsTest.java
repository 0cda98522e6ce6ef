package io.tributary.streams.retained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

class RetainedSettingsTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void defaultsReadMqttMessagesAndWriteMqttRetainedEverySecond() {
        RetainedSettings settings = RetainedSettings.defaults();

        assertThat(settings.messageTopics()).containsExactly("mqtt.messages");
        assertThat(settings.retainedTopic()).isEqualTo("mqtt.retained");
        assertThat(settings.expiryCheckInterval()).isEqualTo(SECOND);
    }

    @Test
    void messageTopicsAreCopied() {
        List<String> topics = new ArrayList<>(List.of("a"));
        RetainedSettings settings = new RetainedSettings(topics, "r", SECOND);
        topics.add("b");

        assertThat(settings.messageTopics()).containsExactly("a");
    }

    @Test
    void rejectsNoMessageTopics() {
        assertThatThrownBy(() -> new RetainedSettings(List.of(), "r", SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("messageTopics");
    }

    @Test
    void rejectsBlankOrDuplicateMessageTopics() {
        assertThatThrownBy(() -> new RetainedSettings(List.of("a", " "), "r", SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
        assertThatThrownBy(() -> new RetainedSettings(List.of("a", "a"), "r", SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }

    @Test
    void rejectsARetainedTopicThatIsBlankOrAlsoAMessageTopic() {
        assertThatThrownBy(() -> new RetainedSettings(List.of("a"), "", SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retainedTopic");
        assertThatThrownBy(() -> new RetainedSettings(List.of("a", "r"), "r", SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("also a message topic");
    }

    @Test
    void rejectsAnIntervalThatIsNotPositive() {
        assertThatThrownBy(() -> new RetainedSettings(List.of("a"), "r", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> new RetainedSettings(List.of("a"), "r", Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    }

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> new RetainedSettings(null, "r", SECOND)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new RetainedSettings(List.of("a"), null, SECOND))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new RetainedSettings(List.of("a"), "r", null))
                .isInstanceOf(NullPointerException.class);
    }
}
