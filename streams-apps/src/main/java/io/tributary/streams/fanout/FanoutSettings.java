package io.tributary.streams.fanout;

import io.tributary.bridge.delivery.MessageRecords;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicMapper;

import io.tributary.streams.AppTopics;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the routed fan-out app reads and writes.
 *
 * @param messageTopics         the message topics it routes, the default message topic first (as
 *                              {@link TopicMapper#kafkaTopics()} lists them; records of other producers there are
 *                              delivered on their key); every topic a mapping rule names must be among them
 * @param subscriptionsTopic    the compacted topic of the clients' subscriptions ({@code ClientSubscriptions}
 *                              keyed by client id)
 * @param deliveriesTopic       the topic it writes one copy of a message to per node that has a matching
 *                              subscriber, on the partition of that node ({@link FanoutTopology#partitionOf}), and the
 *                              watermarks to, on every partition
 * @param mappingRules          the mapping rules of the brokers, for the MQTT topic of records of other producers
 * @param defaultQos            the QoS of records of other producers (as the brokers have it; 0, 1 or 2)
 * @param watermarkInterval     how often (wall clock) each task considers writing a watermark: it writes one when
 *                              it processed a record or the subscriptions changed since its last one
 * @param watermarkIdleInterval the longest a task goes without writing a watermark, changes or not (at least
 *                              {@code watermarkInterval})
 */
public record FanoutSettings(
        List<String> messageTopics,
        String subscriptionsTopic,
        String deliveriesTopic,
        List<MappingRule> mappingRules,
        int defaultQos,
        Duration watermarkInterval,
        Duration watermarkIdleInterval) {

    public static final String DEFAULT_MESSAGE_TOPIC = "mqtt.messages";
    public static final String DEFAULT_SUBSCRIPTIONS_TOPIC = "mqtt.subscriptions";
    public static final String DEFAULT_DELIVERIES_TOPIC = "mqtt.deliveries";
    /** As the broker nodes have it for records of other producers. */
    public static final int DEFAULT_QOS = 1;
    public static final Duration DEFAULT_WATERMARK_INTERVAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_WATERMARK_IDLE_INTERVAL = Duration.ofSeconds(1);

    public FanoutSettings {
        Objects.requireNonNull(messageTopics, "messageTopics");
        Objects.requireNonNull(subscriptionsTopic, "subscriptionsTopic");
        Objects.requireNonNull(deliveriesTopic, "deliveriesTopic");
        Objects.requireNonNull(mappingRules, "mappingRules");
        Objects.requireNonNull(watermarkInterval, "watermarkInterval");
        Objects.requireNonNull(watermarkIdleInterval, "watermarkIdleInterval");
        messageTopics = AppTopics.messageTopics(messageTopics);
        mappingRules = List.copyOf(mappingRules);
        if (subscriptionsTopic.isBlank()) {
            throw new IllegalArgumentException("subscriptionsTopic must not be blank");
        }
        if (deliveriesTopic.isBlank()) {
            throw new IllegalArgumentException("deliveriesTopic must not be blank");
        }
        if (subscriptionsTopic.equals(deliveriesTopic)) {
            throw new IllegalArgumentException("subscriptionsTopic and deliveriesTopic are both " + deliveriesTopic);
        }
        // the app would route its own output, or subscriptions as messages
        if (messageTopics.contains(deliveriesTopic)) {
            throw new IllegalArgumentException("deliveriesTopic " + deliveriesTopic + " is also a message topic");
        }
        if (messageTopics.contains(subscriptionsTopic)) {
            throw new IllegalArgumentException("subscriptionsTopic " + subscriptionsTopic
                    + " is also a message topic");
        }
        for (MappingRule rule : mappingRules) {
            Objects.requireNonNull(rule, "mappingRules contains null");
            // the brokers in routed mode read only what this app routes: a topic it does not read is lost to them
            if (!messageTopics.contains(rule.kafkaTopic())) {
                throw new IllegalArgumentException("the mapping rule for " + rule.filter() + " names Kafka topic "
                        + rule.kafkaTopic() + ", which is not among messageTopics " + messageTopics);
            }
        }
        if (defaultQos < 0 || defaultQos > 2) {
            throw new IllegalArgumentException("defaultQos must be 0, 1 or 2: " + defaultQos);
        }
        if (watermarkInterval.toMillis() < 1) {
            throw new IllegalArgumentException("watermarkInterval must be at least 1 ms: " + watermarkInterval);
        }
        if (watermarkIdleInterval.compareTo(watermarkInterval) < 0) {
            throw new IllegalArgumentException("watermarkIdleInterval (" + watermarkIdleInterval
                    + ") must be at least watermarkInterval (" + watermarkInterval + ")");
        }
        // fails here, naming the rule, rather than when the app starts
        messageRecords(messageTopics, mappingRules, defaultQos);
    }

    /** {@code mqtt.messages} and {@code mqtt.subscriptions} to {@code mqtt.deliveries}; no mapping rules. */
    public static FanoutSettings defaults() {
        return new FanoutSettings(List.of(DEFAULT_MESSAGE_TOPIC), DEFAULT_SUBSCRIPTIONS_TOPIC,
                DEFAULT_DELIVERIES_TOPIC, List.of(), DEFAULT_QOS, DEFAULT_WATERMARK_INTERVAL,
                DEFAULT_WATERMARK_IDLE_INTERVAL);
    }

    /** How the app finds the MQTT topic of a record: exactly as a broker node does. */
    MessageRecords messageRecords() {
        return messageRecords(messageTopics, mappingRules, defaultQos);
    }

    private static MessageRecords messageRecords(List<String> messageTopics, List<MappingRule> rules,
            int defaultQos) {
        return new MessageRecords(new TopicMapper(rules, messageTopics.get(0)), defaultQos);
    }
}
