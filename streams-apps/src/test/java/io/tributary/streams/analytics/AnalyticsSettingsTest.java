package io.tributary.streams.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.streams.AppConfig;
import io.tributary.streams.SettingException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnalyticsSettingsTest {

    @Test
    void defaults() {
        AnalyticsSettings s = AnalyticsSettings.from(AppConfig.empty());
        assertThat(s).isEqualTo(AnalyticsSettings.defaults());
        assertThat(s.messageTopics()).containsExactly("mqtt.messages");
        assertThat(s.topicStatsTopic()).isEqualTo("mqtt.analytics.topics");
        assertThat(s.deviceStatsTopic()).isEqualTo("mqtt.analytics.devices");
        assertThat(s.windowSize()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.grace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.device()).isEqualTo(new DeviceSource.TopicLevel(1));
        assertThat(s.fields()).isEmpty();
        assertThat(s.publishBack()).isFalse();
        assertThat(s.publishBackTopic()).isEqualTo("mqtt.messages");
    }

    @Test
    void everySetting() {
        AnalyticsSettings s = AnalyticsSettings.from(AppConfig.of("test", Map.of(
                "topic-prefix", "plant.",
                "message-topics", "plant.messages, telemetry",
                "window-size", "5m",
                "window-grace", "PT30S",
                "device", "client-id",
                "fields", "temperature,env.humidity",
                "publish-back", "true",
                "publish-back-topic", "telemetry")));
        assertThat(s).isEqualTo(new AnalyticsSettings("plant.", List.of("plant.messages", "telemetry"),
                Duration.ofMinutes(5), Duration.ofSeconds(30), new DeviceSource.ClientId(),
                List.of("temperature", "env.humidity"), true, "telemetry"));
        assertThat(s.topicStatsTopic()).isEqualTo("plant.analytics.topics");
    }

    @Test
    void messageTopicsFollowThePrefixUnlessSet() {
        assertThat(AnalyticsSettings.from(AppConfig.of("test", Map.of("topic-prefix", "x."))).messageTopics())
                .containsExactly("x.messages");
    }

    @Test
    void badSettingsFailNamingTheSetting() {
        assertInvalid(Map.of("window-size", "soon"), "window-size");
        assertInvalid(Map.of("window-size", "0s"), "window-size");
        assertInvalid(Map.of("window-grace", "-PT1S"), "window-grace");
        assertInvalid(Map.of("device", "level:x"), "device");
        assertInvalid(Map.of("device", "level:-1"), "device");
        assertInvalid(Map.of("fields", "env..humidity"), "fields");
        assertInvalid(Map.of("fields", "a,a"), "fields");
        assertInvalid(Map.of("publish-back", "yes"), "publish-back");
        assertInvalid(Map.of("publish-back", "true"), "publish-back");
        assertInvalid(Map.of("publish-back", "true", "fields", "a/b"), "fields");
        assertInvalid(Map.of("message-topics", " , "), "message-topics");
    }

    @Test
    void deviceSources() {
        assertThat(DeviceSource.parse("level:0").deviceOf("dev-1/temp", "c")).isEqualTo("dev-1");
        assertThat(DeviceSource.parse("level:1").deviceOf("sensors/dev-1/temp", "c")).isEqualTo("dev-1");
        assertThat(DeviceSource.parse("level:2").deviceOf("sensors/dev-1/temp", "c")).isEqualTo("temp");
        assertThat(DeviceSource.parse("level:3").deviceOf("sensors/dev-1/temp", "c")).isNull();
        assertThat(DeviceSource.parse("level:1").deviceOf("sensors//temp", "c")).isNull();
        assertThat(DeviceSource.parse("client-id").deviceOf("a/b", "c")).isEqualTo("c");
        assertThat(DeviceSource.parse("client-id").deviceOf("a/b", null)).isNull();
        assertThat(DeviceSource.parse("level:4")).hasToString("level:4");
    }

    private static void assertInvalid(Map<String, String> settings, String named) {
        assertThatThrownBy(() -> AnalyticsSettings.from(AppConfig.of("app.properties", settings)))
                .isInstanceOf(SettingException.class)
                .hasMessageContaining(named)
                .hasMessageContaining("app.properties");
    }
}
