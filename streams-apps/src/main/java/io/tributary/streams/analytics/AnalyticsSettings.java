package io.tributary.streams.analytics;

import io.tributary.streams.AppConfig;
import io.tributary.streams.SettingException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * What the analytics app computes and where it reads and writes (see docs/streams-apps.md for the settings).
 *
 * @param topicPrefix      prefix of the result topics: {@code <prefix>analytics.topics} and
 *                         {@code <prefix>analytics.devices}
 * @param messageTopics    the Kafka topics of MQTT messages to read
 * @param windowSize       size of the tumbling windows
 * @param grace            how long after a window's end records of it are still counted; its result is written
 *                         once the grace period has passed (in stream time)
 * @param device           where a message's device comes from
 * @param fields           dotted paths of the numeric JSON fields to summarise, in the order results list them
 * @param publishBack      whether each device window result is also published into MQTT, per field, retained,
 *                         on {@code $analytics/<device>/<field>}
 * @param publishBackTopic the message topic those records go to (one the broker reads); null: the first of
 *                         {@code messageTopics}
 */
public record AnalyticsSettings(
        String topicPrefix,
        List<String> messageTopics,
        Duration windowSize,
        Duration grace,
        DeviceSource device,
        List<String> fields,
        boolean publishBack,
        String publishBackTopic) {

    public static final String DEFAULT_PREFIX = "mqtt.";

    public AnalyticsSettings {
        Objects.requireNonNull(topicPrefix, "topic-prefix");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(windowSize, "window-size");
        Objects.requireNonNull(grace, "window-grace");
        messageTopics = List.copyOf(messageTopics);
        fields = List.copyOf(fields);
        if (messageTopics.isEmpty() || messageTopics.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("message-topics: give at least one topic, no blank names");
        }
        if (windowSize.isNegative() || windowSize.isZero() || windowSize.toMillis() == 0) {
            throw new IllegalArgumentException("window-size must be at least 1ms, not " + windowSize);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("window-grace must not be negative, not " + grace);
        }
        if (new HashSet<>(fields).size() != fields.size()) {
            throw new IllegalArgumentException("fields: a path is listed twice: " + fields);
        }
        fields.forEach(FieldPath::parse);
        if (publishBackTopic == null) {
            publishBackTopic = messageTopics.get(0);
        }
        if (publishBack) {
            if (fields.isEmpty()) {
                throw new IllegalArgumentException("publish-back needs at least one path in fields (it publishes"
                        + " per field)");
            }
            for (String field : fields) {
                // the field is the last level of the MQTT topic it is published on
                if (field.contains("/") || field.contains("+") || field.contains("#") || field.contains("\0")) {
                    throw new IllegalArgumentException("fields: '" + field + "' cannot be an MQTT topic level for "
                            + "publish-back (no /, + or #)");
                }
            }
        }
    }

    /** Windows of one minute with 10 s grace, devices from topic level 1, no fields, no publish-back. */
    public static AnalyticsSettings defaults() {
        return new AnalyticsSettings(DEFAULT_PREFIX, List.of(DEFAULT_PREFIX + "messages"), Duration.ofMinutes(1),
                Duration.ofSeconds(10), new DeviceSource.TopicLevel(1), List.of(), false, null);
    }

    /** The settings of a standalone app's config file, with the defaults of {@link #defaults()}. */
    public static AnalyticsSettings from(AppConfig config) {
        AnalyticsSettings d = defaults();
        String prefix = config.string("topic-prefix", d.topicPrefix());
        try {
            return new AnalyticsSettings(
                    prefix,
                    config.list("message-topics", List.of(prefix + "messages")),
                    config.duration("window-size", d.windowSize()),
                    config.duration("window-grace", d.grace()),
                    DeviceSource.parse(config.string("device", d.device().toString())),
                    config.list("fields", d.fields()),
                    config.bool("publish-back", d.publishBack()),
                    config.string("publish-back-topic", null));
        } catch (IllegalArgumentException e) {
            throw new SettingException("invalid setting in " + config.source() + ": " + e.getMessage(), e);
        }
    }

    /** Results per MQTT topic: key the topic, value {@code TopicWindowStats}. */
    public String topicStatsTopic() {
        return topicPrefix + "analytics.topics";
    }

    /** Results per device: key the device, value {@code DeviceWindowStats}. */
    public String deviceStatsTopic() {
        return topicPrefix + "analytics.devices";
    }

    public AnalyticsSettings withMessageTopics(String... topics) {
        return new AnalyticsSettings(topicPrefix, List.of(topics), windowSize, grace, device, fields, publishBack,
                null);
    }

    public AnalyticsSettings withWindow(Duration size, Duration grace) {
        return new AnalyticsSettings(topicPrefix, messageTopics, size, grace, device, fields, publishBack,
                publishBackTopic);
    }

    public AnalyticsSettings withDevice(DeviceSource device) {
        return new AnalyticsSettings(topicPrefix, messageTopics, windowSize, grace, device, fields, publishBack,
                publishBackTopic);
    }

    public AnalyticsSettings withFields(String... paths) {
        return new AnalyticsSettings(topicPrefix, messageTopics, windowSize, grace, device, List.of(paths),
                publishBack, publishBackTopic);
    }

    public AnalyticsSettings withPublishBack(boolean enabled) {
        return new AnalyticsSettings(topicPrefix, messageTopics, windowSize, grace, device, fields, enabled,
                publishBackTopic);
    }

    public AnalyticsSettings withTopicPrefix(String prefix) {
        return new AnalyticsSettings(prefix, messageTopics, windowSize, grace, device, fields, publishBack,
                publishBackTopic);
    }
}
