package io.tributary.streams.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.bridge.mapping.KeyStrategy;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicFilter;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

class FanoutSettingsTest {

    private static final Duration MS100 = Duration.ofMillis(100);
    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void defaultsRouteMqttMessagesByMqttSubscriptionsToMqttDeliveries() {
        FanoutSettings settings = FanoutSettings.defaults();

        assertThat(settings.messageTopics()).containsExactly("mqtt.messages");
        assertThat(settings.subscriptionsTopic()).isEqualTo("mqtt.subscriptions");
        assertThat(settings.deliveriesTopic()).isEqualTo("mqtt.deliveries");
        assertThat(settings.mappingRules()).isEmpty();
        assertThat(settings.defaultQos()).isEqualTo(1);
        assertThat(settings.watermarkInterval()).isEqualTo(MS100);
        assertThat(settings.watermarkIdleInterval()).isEqualTo(SECOND);
        assertThat(FanoutTopology.applicationId(settings.deliveriesTopic())).isEqualTo("tributary-fanout-mqtt.deliveries");
    }

    @Test
    void listsAreCopied() {
        List<String> topics = new ArrayList<>(List.of("m"));
        List<MappingRule> rules = new ArrayList<>();
        FanoutSettings settings = new FanoutSettings(topics, "s", "d", rules, 1, MS100, SECOND);
        topics.add("n");
        rules.add(rule("m", null));

        assertThat(settings.messageTopics()).containsExactly("m");
        assertThat(settings.mappingRules()).isEmpty();
    }

    @Test
    void rejectsMissingBlankOrDuplicateMessageTopics() {
        assertThatThrownBy(() -> settings(List.of(), "s", "d"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("messageTopics");
        assertThatThrownBy(() -> settings(List.of("m", " "), "s", "d"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
        assertThatThrownBy(() -> settings(List.of("m", "m"), "s", "d"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }

    @Test
    void rejectsTopicsThatAreBlankOrServeTwoPurposes() {
        assertThatThrownBy(() -> settings(List.of("m"), "", "d"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subscriptionsTopic");
        assertThatThrownBy(() -> settings(List.of("m"), "s", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deliveriesTopic");
        assertThatThrownBy(() -> settings(List.of("m"), "x", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both");
        assertThatThrownBy(() -> settings(List.of("m", "d"), "s", "d"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("also a message topic");
        assertThatThrownBy(() -> settings(List.of("m", "s"), "s", "d"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("also a message topic");
    }

    @Test
    void rejectsAMappingRuleForATopicItDoesNotRead() {
        assertThatThrownBy(() -> new FanoutSettings(List.of("m"), "s", "d", List.of(rule("elsewhere", null)), 1,
                MS100, SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("elsewhere");
    }

    @Test
    void rejectsAMappingRuleWhoseTemplateCanNeverBeATopicName() {
        assertThatThrownBy(() -> new FanoutSettings(List.of("m", "cmd"), "s", "d", List.of(rule("cmd", "a/+/{key}")),
                1, MS100, SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a/+/{key}");
    }

    @Test
    void rejectsAnInvalidDefaultQos() {
        assertThatThrownBy(() -> new FanoutSettings(List.of("m"), "s", "d", List.of(), 3, MS100, SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultQos");
        assertThatThrownBy(() -> new FanoutSettings(List.of("m"), "s", "d", List.of(), -1, MS100, SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultQos");
    }

    @Test
    void rejectsIntervalsBelowOneMillisecondOrAnIdleIntervalShorterThanTheInterval() {
        assertThatThrownBy(() -> new FanoutSettings(List.of("m"), "s", "d", List.of(), 1, Duration.ZERO, SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("watermarkInterval");
        assertThatThrownBy(() -> new FanoutSettings(List.of("m"), "s", "d", List.of(), 1, Duration.ofNanos(10),
                SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("watermarkInterval");
        assertThatThrownBy(() -> new FanoutSettings(List.of("m"), "s", "d", List.of(), 1, SECOND, MS100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("watermarkIdleInterval");
    }

    private static FanoutSettings settings(List<String> messageTopics, String subscriptions, String deliveries) {
        return new FanoutSettings(messageTopics, subscriptions, deliveries, List.of(), 1, MS100, SECOND);
    }

    private static MappingRule rule(String kafkaTopic, String template) {
        return new MappingRule(TopicFilter.parse("devices/#"), kafkaTopic, new KeyStrategy.Topic(), template);
    }
}
