package io.tributary.bridge.mapping;

import io.tributary.bridge.format.PayloadCodec;
import io.tributary.bridge.format.PayloadCodecs;
import java.util.Map;
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
    public record Route(String kafkaTopic, KeyStrategy key, PayloadCodec codec) {
        public Route {
            Objects.requireNonNull(kafkaTopic, "kafkaTopic");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(codec, "codec");
        }

        /** A route of raw records. */
        public Route(String kafkaTopic, KeyStrategy key) {
            this(kafkaTopic, key, PayloadCodec.RAW);
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
    private final Map<String, PayloadCodec> codecs;

    /** Rules whose records carry the payload as it is (format raw). */
    public TopicMapper(List<MappingRule> rules, String defaultKafkaTopic) {
        this(rules, defaultKafkaTopic, Map.of());
    }

    /**
     * @param codecs the codec of each Kafka topic whose rule has a format other than raw ({@link PayloadCodecs})
     */
    public TopicMapper(List<MappingRule> rules, String defaultKafkaTopic, Map<String, PayloadCodec> codecs) {
        Objects.requireNonNull(defaultKafkaTopic, "defaultKafkaTopic");
        this.codecs = Map.copyOf(codecs);
        this.rules = List.copyOf(rules);
        this.filters = new TopicFilter[this.rules.size()];
        this.routes = new Route[this.rules.size()];
        Set<String> topics = new LinkedHashSet<>();
        topics.add(defaultKafkaTopic);
        for (int i = 0; i < filters.length; i++) {
            MappingRule rule = this.rules.get(i);
            filters[i] = rule.filter();
            routes[i] = new Route(rule.kafkaTopic(), rule.key(), codec(rule.kafkaTopic()));
            topics.add(rule.kafkaTopic());
        }
        this.defaultRoute = new Route(defaultKafkaTopic, new KeyStrategy.Topic(), codec(defaultKafkaTopic));
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

    /** How the records of {@code kafkaTopic} carry the payload; {@link PayloadCodec#RAW} for unmapped topics. */
    public PayloadCodec codec(String kafkaTopic) {
        return codecs.getOrDefault(kafkaTopic, PayloadCodec.RAW);
    }

    /** The same rules with these codecs. */
    public TopicMapper withCodecs(Map<String, PayloadCodec> codecs) {
        return new TopicMapper(rules, defaultKafkaTopic(), codecs);
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
