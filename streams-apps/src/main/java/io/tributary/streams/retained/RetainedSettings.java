package io.tributary.streams.retained;

import io.tributary.streams.AppTopics;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the retained app reads and writes.
 *
 * @param messageTopics       the message topics whose retained publishes it reads (at least one, no duplicates)
 * @param retainedTopic       the compacted topic it writes the retained messages to
 * @param expiryCheckInterval how often (wall-clock) it looks for retained messages whose MQTT 5 Message Expiry
 *                            has passed
 */
public record RetainedSettings(List<String> messageTopics, String retainedTopic, Duration expiryCheckInterval) {

    public static final String DEFAULT_MESSAGE_TOPIC = "mqtt.messages";
    public static final String DEFAULT_RETAINED_TOPIC = "mqtt.retained";
    public static final Duration DEFAULT_EXPIRY_CHECK_INTERVAL = Duration.ofSeconds(1);

    public RetainedSettings {
        Objects.requireNonNull(messageTopics, "messageTopics");
        Objects.requireNonNull(retainedTopic, "retainedTopic");
        Objects.requireNonNull(expiryCheckInterval, "expiryCheckInterval");
        messageTopics = AppTopics.messageTopics(messageTopics);
        if (retainedTopic.isBlank()) {
            throw new IllegalArgumentException("retainedTopic must not be blank");
        }
        // the app would read its own output as retained publishes
        if (messageTopics.contains(retainedTopic)) {
            throw new IllegalArgumentException("retainedTopic " + retainedTopic + " is also a message topic");
        }
        if (expiryCheckInterval.isZero() || expiryCheckInterval.isNegative()) {
            throw new IllegalArgumentException("expiryCheckInterval must be positive: " + expiryCheckInterval);
        }
    }

    /** {@code mqtt.messages} to {@code mqtt.retained}, expiry checked every second. */
    public static RetainedSettings defaults() {
        return new RetainedSettings(List.of(DEFAULT_MESSAGE_TOPIC), DEFAULT_RETAINED_TOPIC,
                DEFAULT_EXPIRY_CHECK_INTERVAL);
    }
}
