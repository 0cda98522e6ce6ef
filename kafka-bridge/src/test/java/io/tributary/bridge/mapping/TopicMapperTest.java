package io.tributary.bridge.mapping;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TopicMapperTest {

    private static MappingRule rule(String filter, String kafkaTopic, String key) {
        return new MappingRule(TopicFilter.parse(filter), kafkaTopic, KeyStrategy.parse(key));
    }

    private final TopicMapper mapper = new TopicMapper(List.of(
            rule("devices/+/telemetry", "telemetry", "level:1"),
            rule("devices/#", "devices", "client-id"),
            rule("logs/#", "logs", "none"),
            rule("alerts/#", "devices", "topic")), "mqtt.messages");

    @Test
    void firstMatchingRuleWins() {
        assertThat(mapper.route("devices/d1/telemetry"))
                .isEqualTo(new TopicMapper.Route("telemetry", new KeyStrategy.Level(1)));
        assertThat(mapper.route("devices/d1/status"))
                .isEqualTo(new TopicMapper.Route("devices", new KeyStrategy.ClientId()));
        assertThat(mapper.route("devices")).isEqualTo(new TopicMapper.Route("devices", new KeyStrategy.ClientId()));
        assertThat(mapper.route("logs/app").key()).isEqualTo(new KeyStrategy.None());
    }

    @Test
    void unmatchedTopicsGoToTheDefaultTopicKeyedByTopic() {
        TopicMapper.Route route = mapper.route("home/kitchen/temp");
        assertThat(route).isEqualTo(new TopicMapper.Route("mqtt.messages", new KeyStrategy.Topic()));
        assertThat(route.keyFor("home/kitchen/temp", "c1")).isEqualTo("home/kitchen/temp");
    }

    @Test
    void routesAreReusedNotAllocated() {
        assertThat(mapper.route("devices/a/telemetry")).isSameAs(mapper.route("devices/b/telemetry"));
        assertThat(mapper.route("x")).isSameAs(mapper.route("y"));
    }

    @Test
    void routeKeysUseTheRuleStrategy() {
        assertThat(mapper.route("devices/d7/telemetry").keyFor("devices/d7/telemetry", "c1")).isEqualTo("d7");
        assertThat(mapper.route("devices/d7/status").keyFor("devices/d7/status", "c1")).isEqualTo("c1");
        assertThat(mapper.route("logs/x").keyFor("logs/x", "c1")).isNull();
    }

    @Test
    void listsEveryTopicItCanRouteToOnce() {
        assertThat(mapper.kafkaTopics()).containsExactly("mqtt.messages", "telemetry", "devices", "logs");
        assertThat(TopicMapper.defaultOnly("m").kafkaTopics()).containsExactly("m");
        assertThat(TopicMapper.defaultOnly("m").route("any/thing").kafkaTopic()).isEqualTo("m");
    }

    @Test
    void dollarTopicsFallThroughLeadingWildcardRules() {
        TopicMapper all = new TopicMapper(List.of(rule("#", "everything", "topic")), "mqtt.messages");
        assertThat(all.route("a/b").kafkaTopic()).isEqualTo("everything");
        assertThat(all.route("$share-like/x").kafkaTopic()).isEqualTo("mqtt.messages");
    }
}
