package io.tributary.bridge.mapping;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Routes an MQTT topic to a Kafka topic and key strategy: the first {@link MappingRule} whose filter matches
 * wins; topics no rule claims go to the default topic, keyed by the MQTT topic.
 *
 * <p>Immutable and thread-safe. {@link #route} allocates nothing: the routes are built once.
 */
public final class TopicMapper {

    /** Where a message goes: a Kafka topic and how its key is derived. */
    public record Route(String kafkaTopic, KeyStrategy key) {
        public Route {
            Objects.requireNonNull(kafkaTopic, "kafkaTopic");
            Objects.requireNonNull(key, "key");
        }

        /** The record key for a message on {@code mqttTopic} from {@code clientId}; null for no key. */
        public String keyFor(String mqttTopic, String clientId) {
            return key.keyFor(mqttTopic, clientId);
        }
    }

    private final TopicFilter[] filters;
    private final Route[] routes;
    private final Route defaultRoute;
    private final List<MappingRule> rules;
    private final Set<String> kafkaTopics;

    public TopicMapper(List<MappingRule> rules, String defaultKafkaTopic) {
        Objects.requireNonNull(defaultKafkaTopic, "defaultKafkaTopic");
        this.rules = List.copyOf(rules);
        this.filters = new TopicFilter[this.rules.size()];
        this.routes = new Route[this.rules.size()];
        Set<String> topics = new LinkedHashSet<>();
        topics.add(defaultKafkaTopic);
        for (int i = 0; i < filters.length; i++) {
            MappingRule rule = this.rules.get(i);
            filters[i] = rule.filter();
            routes[i] = new Route(rule.kafkaTopic(), rule.key());
            topics.add(rule.kafkaTopic());
        }
        this.defaultRoute = new Route(defaultKafkaTopic, new KeyStrategy.Topic());
        this.kafkaTopics = Collections.unmodifiableSet(topics);
    }

    /** Only the default route: every message to {@code defaultKafkaTopic}, keyed by MQTT topic. */
    public static TopicMapper defaultOnly(String defaultKafkaTopic) {
        return new TopicMapper(List.of(), defaultKafkaTopic);
    }

    /** The route of a message published on {@code mqttTopic} (a topic name, no wildcards). */
    public Route route(String mqttTopic) {
        TopicFilter[] f = filters;
        for (int i = 0; i < f.length; i++) {
            if (f[i].matches(mqttTopic)) {
                return routes[i];
            }
        }
        return defaultRoute;
    }

    /** Every Kafka topic a message can be routed to: the default topic first, then the rules' in order. */
    public Set<String> kafkaTopics() {
        return kafkaTopics;
    }

    public String defaultKafkaTopic() {
        return defaultRoute.kafkaTopic();
    }

    public List<MappingRule> rules() {
        return rules;
    }

    @Override
    public String toString() {
        return "TopicMapper" + rules + " default " + defaultRoute.kafkaTopic();
    }
}
