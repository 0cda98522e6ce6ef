package io.tributary.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every known setting: its dotted key, its type and range, its default and its dedicated flag. This table is the
 * one place the loader learns what exists; the records ({@link TributaryConfig} and its parts) must match it, which
 * the final strict Jackson mapping checks (unknown or missing properties fail).
 */
final class Settings {

    /** One leaf setting. {@code defaultValue} is null only for node-id, whose default is computed. */
    record Setting(String key, ValueType type, JsonNode defaultValue, String flag) {
        String envName() {
            return Settings.envName(key);
        }
    }

    /** Free-form maps of Kafka properties, passed through verbatim. */
    static final List<String> PASSTHROUGH = List.of(
            "kafka.embedded.broker", "kafka.producer", "kafka.consumer", "kafka.admin", "streams.kafka",
            "schema-registry.client");

    /** The ordered list of mapping rules; only the YAML file can set it. */
    static final String MAPPING = "mapping";

    static final String NODE_ID = "node-id";

    private static final Pattern NODE_ID_PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern KAFKA_TOPIC_PATTERN = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private static final Map<String, Setting> LEAVES = new LinkedHashMap<>();
    private static final Set<String> SECTIONS = new LinkedHashSet<>();

    static {
        leaf(NODE_ID, ValueType.string(false, Settings::nodeIdProblem), null, "--node-id");
        leaf("data-dir", ValueType.path(false), text("./data"), "--data-dir");

        ValueType u16 = ValueType.integer(0, 65535);
        ValueType port = ValueType.integer(1, 65535);
        leaf("mqtt.host", ValueType.string(false), text("0.0.0.0"), null);
        leaf("mqtt.port", u16, number(1883), "--mqtt-port");
        leaf("mqtt.max-packet-size", ValueType.integer(64, 268_435_455), number(1_048_576), null);
        leaf("mqtt.max-client-id-length", ValueType.integer(23, 65535), number(256), null);
        leaf("mqtt.connect-timeout", ValueType.duration(), text("10s"), null);
        leaf("mqtt.max-keep-alive", u16, number(0), null);
        leaf("mqtt.receive-maximum", ValueType.integer(1, 65535), number(1024), null);
        leaf("mqtt.topic-alias-maximum", u16, number(64), null);
        leaf("mqtt.max-inflight-per-connection", ValueType.integer(1, 65535), number(1024), null);
        leaf("mqtt.max-queued-messages", ValueType.integer(1, Integer.MAX_VALUE), number(1000), null);
        leaf("mqtt.max-queued-bytes", ValueType.integer(1, Long.MAX_VALUE), number(8L * 1024 * 1024), null);
        leaf("mqtt.max-session-expiry", ValueType.integer(0, 0xFFFF_FFFFL), number(0xFFFF_FFFFL), null);
        leaf("mqtt.session-checkpoint-interval", ValueType.duration(), text("5s"), null);
        leaf("mqtt.event-loop-threads", ValueType.integer(0, 1024), number(0), null);
        leaf("mqtt.epoll", ValueType.bool(), BooleanNode.TRUE, null);

        leaf("auth.allow-anonymous", ValueType.bool(), BooleanNode.TRUE, null);
        leaf("auth.password-file", ValueType.path(true), NullNode.instance, null);

        leaf("routing.mode", ValueType.string(false, m -> m.equals("broadcast") || m.equals("routed") ? null
                : "'" + m + "' is not a routing mode (broadcast or routed)"), text("broadcast"), null);

        leaf("metrics.host", ValueType.string(false), text("127.0.0.1"), null);
        leaf("metrics.port", u16, number(0), null);

        leaf("kafka.bootstrap-servers", ValueType.string(true), NullNode.instance, "--kafka-bootstrap");
        leaf("kafka.max-inflight-bytes", ValueType.integer(1, Long.MAX_VALUE), number(16L * 1024 * 1024), null);

        ValueType topic = ValueType.string(false, Settings::kafkaTopicProblem);
        leaf("kafka.topics.messages", topic, text("mqtt.messages"), null);
        leaf("kafka.topics.retained", topic, text("mqtt.retained"), null);
        leaf("kafka.topics.sessions", topic, text("mqtt.sessions"), null);
        leaf("kafka.topics.subscriptions", topic, text("mqtt.subscriptions"), null);
        leaf("kafka.topics.events", topic, text("mqtt.events"), null);
        leaf("kafka.topics.deliveries", topic, text("mqtt.deliveries"), null);
        leaf("kafka.topics.dead-letter", topic, text("mqtt.dead-letter"), null);
        leaf("kafka.topics.partitions", ValueType.integer(1, Integer.MAX_VALUE), number(6), null);
        leaf("kafka.topics.replication-factor",
                ValueType.integer(v -> v == -1 || (v >= 1 && v <= Short.MAX_VALUE), "(must be -1 or 1..32767)"),
                number(-1), null);
        ValueType retention = ValueType.integer(-1, Long.MAX_VALUE);
        leaf("kafka.topics.message-retention-ms", retention, number(-1), null);

        leaf("kafka.embedded.host", ValueType.string(false), text("127.0.0.1"), null);
        leaf("kafka.embedded.port", port, number(9092), "--embedded-kafka-port");
        leaf("kafka.embedded.controller-port", port, number(9093), null);
        leaf("kafka.embedded.retention-ms", retention, number(86_400_000L), null);
        leaf("kafka.embedded.retention-bytes", retention, number(1_073_741_824L), null);
        leaf("kafka.embedded.segment-bytes", ValueType.integer(1_048_576, Integer.MAX_VALUE), number(67_108_864), null);

        leaf("schema-registry.url", ValueType.string(true), NullNode.instance, null);
        leaf("schema-registry.embedded.host", ValueType.string(false), text("127.0.0.1"), null);
        leaf("schema-registry.embedded.port", u16, number(8081), null);
        leaf("schema-registry.embedded.topic", topic, text("_tributary_schemas"), null);

        leaf("streams.state-dir", ValueType.path(true), NullNode.instance, null);
        leaf("streams.retained.enabled", ValueType.bool(), BooleanNode.TRUE, null);
        leaf("streams.retained.expiry-check-interval", ValueType.duration(), text("1s"), null);
        leaf("streams.fanout.enabled", ValueType.bool(), BooleanNode.TRUE, null);
        leaf("streams.analytics.enabled", ValueType.bool(), BooleanNode.TRUE, null);
        leaf("streams.analytics.topic-prefix", topic, text("mqtt."), null);
        leaf("streams.analytics.window", ValueType.duration(), text("1m"), null);
        leaf("streams.analytics.grace", ValueType.duration(), text("10s"), null);
        leaf("streams.analytics.device", ValueType.string(false, Settings::deviceProblem), text("level:1"), null);
        leaf("streams.analytics.fields", ValueType.string(true), NullNode.instance, null);
        leaf("streams.analytics.publish-back", ValueType.bool(), BooleanNode.FALSE, null);
        leaf("streams.presence.enabled", ValueType.bool(), BooleanNode.TRUE, null);
        leaf("streams.presence.topic", topic, text("mqtt.presence"), null);

        for (String key : LEAVES.keySet()) {
            addSections(key);
        }
        for (String key : PASSTHROUGH) {
            addSections(key);
        }
    }

    private Settings() {
    }

    /** All leaf settings in documentation order. */
    static Iterable<Setting> leaves() {
        return Collections.unmodifiableCollection(LEAVES.values());
    }

    static Setting leaf(String key) {
        return LEAVES.get(key);
    }

    /** True for keys that group other settings: mqtt, auth, metrics, kafka, kafka.topics, kafka.embedded. */
    static boolean isSection(String key) {
        return SECTIONS.contains(key);
    }

    static boolean isPassthrough(String key) {
        return PASSTHROUGH.contains(key);
    }

    /** The passthrough map that {@code key} is an entry of ({@code kafka.producer} for kafka.producer.linger.ms). */
    static String passthroughOf(String key) {
        for (String map : PASSTHROUGH) {
            if (key.startsWith(map + ".") && key.length() > map.length() + 1) {
                return map;
            }
        }
        return null;
    }

    /** {@code mqtt.max-packet-size} -> {@code TRIBUTARY_MQTT_MAX_PACKET_SIZE}. */
    static String envName(String key) {
        return "TRIBUTARY_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The form keys and environment variable names are compared in: lower case, without . - _ separators. */
    static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replace(".", "").replace("-", "").replace("_", "");
    }

    /** Every key a user could have meant, for "did you mean" suggestions. */
    static List<String> allKeys() {
        List<String> keys = new ArrayList<>(LEAVES.keySet());
        keys.addAll(SECTIONS);
        keys.addAll(PASSTHROUGH);
        keys.add(MAPPING);
        return keys;
    }

    static String nodeIdProblem(String id) {
        return NODE_ID_PATTERN.matcher(id).matches()
                ? null
                : "'" + id + "' is not a valid node id (1 to 64 of A-Z a-z 0-9 . _ -)";
    }

    static String deviceProblem(String device) {
        try {
            io.tributary.streams.analytics.DeviceSource.parse(device);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    static String kafkaTopicProblem(String name) {
        return KAFKA_TOPIC_PATTERN.matcher(name).matches() && !name.equals(".") && !name.equals("..")
                ? null
                : "'" + name + "' is not a valid Kafka topic name (1 to 249 of a-z A-Z 0-9 . _ -, not . or ..)";
    }

    /** The node id when none is configured: the host name, made valid. */
    static String defaultNodeId(Map<String, String> env) {
        String host = env.get("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException | RuntimeException e) {
                host = null;
            }
        }
        if (host == null || host.isBlank()) {
            return "tributary";
        }
        String id = host.trim().replaceAll("[^A-Za-z0-9._-]", "-");
        return id.length() > 64 ? id.substring(0, 64) : id;
    }

    private static void leaf(String key, ValueType type, JsonNode defaultValue, String flag) {
        LEAVES.put(key, new Setting(key, type, defaultValue, flag));
    }

    private static void addSections(String key) {
        int dot = key.indexOf('.');
        while (dot > 0) {
            SECTIONS.add(key.substring(0, dot));
            dot = key.indexOf('.', dot + 1);
        }
    }

    private static JsonNode text(String value) {
        return TextNode.valueOf(value);
    }

    private static JsonNode number(long value) {
        return LongNode.valueOf(value);
    }
}
