package io.tributary.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.tributary.bridge.mapping.KeyStrategy;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicFilter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Merges the sources into one tree, checking every value as it comes in so that an error can name the setting
 * and its source. Apply sources from lowest to highest precedence, then {@link #build()}.
 */
final class ConfigBuilder {

    /** Where a value came from, e.g. {@code file tributary.yaml}, {@code environment TRIBUTARY_MQTT_PORT}. */
    record Source(String description) {
        static Source file(String path) {
            return new Source("file " + path);
        }

        static Source env(String name) {
            return new Source("environment " + name);
        }

        static Source flag(String flag) {
            return new Source("flag " + flag);
        }

        @Override
        public String toString() {
            return description;
        }
    }

    private static final Source DEFAULT = new Source("the defaults");
    private static final Set<String> RULE_KEYS = Set.of("filter", "kafka-topic", "key", "mqtt-topic", "format",
            "schema", "schema-file");

    private final Map<String, JsonNode> values = new LinkedHashMap<>();
    private final Map<String, Source> origins = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> passthrough = new LinkedHashMap<>();
    private final List<MappingConfig> mapping = new ArrayList<>();
    private final List<Source> mappingOrigins = new ArrayList<>();
    private final Map<String, String> env;

    /** Starts from the built-in defaults; {@code env} is used only for the default node id. */
    ConfigBuilder(Map<String, String> env) {
        this.env = env;
        for (Settings.Setting s : Settings.leaves()) {
            if (s.defaultValue() != null) {
                values.put(s.key(), s.defaultValue());
                origins.put(s.key(), DEFAULT);
            }
        }
        for (String map : Settings.PASSTHROUGH) {
            passthrough.put(map, new TreeMap<>());
        }
    }

    // ---- YAML -------------------------------------------------------------------------------------------------

    /** Applies a parsed YAML document; null (an empty file) changes nothing. */
    void applyYaml(JsonNode root, Source source) {
        if (root == null || root.isNull() || root.isMissingNode()) {
            return;
        }
        if (!root.isObject()) {
            throw ConfigException.invalid("the top level of " + source + " must be a mapping of settings, got "
                    + ValueType.describe(root));
        }
        applySection("", root, source);
    }

    private void applySection(String prefix, JsonNode section, Source source) {
        for (Map.Entry<String, JsonNode> field : section.properties()) {
            String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            JsonNode value = field.getValue();
            Settings.Setting leaf = Settings.leaf(key);
            if (leaf != null) {
                try {
                    put(key, leaf.type().fromYaml(value), source);
                } catch (ValueType.Invalid e) {
                    throw valueError(key, e.getMessage(), source);
                }
            } else if (Settings.isPassthrough(key)) {
                if (!value.isNull()) {
                    requireSection(key, value, source);
                    flatten(key, "", value, source);
                }
            } else if (Settings.passthroughOf(key) != null) {
                // a dotted key at section level (kafka.producer.linger.ms: 5)
                String map = Settings.passthroughOf(key);
                String entry = key.substring(map.length() + 1);
                if (value.isObject()) {
                    flatten(map, entry, value, source);
                } else {
                    putPassthrough(map, entry, value, source);
                }
            } else if (key.equals(Settings.MAPPING)) {
                applyMapping(value, source);
            } else if (Settings.isSection(key)) {
                if (!value.isNull()) {
                    requireSection(key, value, source);
                    applySection(key, value, source);
                }
            } else {
                throw unknown(key, "in " + source);
            }
        }
    }

    private void flatten(String map, String prefix, JsonNode section, Source source) {
        for (Map.Entry<String, JsonNode> field : section.properties()) {
            String entry = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            if (field.getValue().isObject()) {
                flatten(map, entry, field.getValue(), source);
            } else {
                putPassthrough(map, entry, field.getValue(), source);
            }
        }
    }

    private void putPassthrough(String map, String entry, JsonNode value, Source source) {
        if (!value.isValueNode() || value.isNull()) {
            throw valueError(map + "." + entry, "expected a string, number or boolean, got "
                    + ValueType.describe(value), source);
        }
        passthrough.get(map).put(entry, value.asText());
    }

    private void applyMapping(JsonNode value, Source source) {
        mapping.clear();
        mappingOrigins.clear();
        if (value.isNull()) {
            return;
        }
        if (!value.isArray()) {
            throw valueError(Settings.MAPPING, "expected a list of rules, got " + ValueType.describe(value), source);
        }
        for (int i = 0; i < value.size(); i++) {
            String at = Settings.MAPPING + "[" + i + "]";
            JsonNode rule = value.get(i);
            if (!rule.isObject()) {
                throw valueError(at, "expected a rule (filter, kafka-topic, key, mqtt-topic, format, schema,"
                        + " schema-file), got " + ValueType.describe(rule),
                        source);
            }
            for (Iterator<String> names = rule.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!RULE_KEYS.contains(name)) {
                    String suggestion = Suggestions.closest(name, RULE_KEYS);
                    throw ConfigException.invalid("unknown setting '" + at + "." + name + "' in " + source
                            + (suggestion == null ? " (a rule has filter, kafka-topic, key, mqtt-topic, format, schema"
                                    + " and schema-file)"
                                    : " (did you mean '" + at + "." + suggestion + "'?)"));
                }
            }
            String filter = ruleText(rule, at, "filter", true, source);
            String topic = ruleText(rule, at, "kafka-topic", true, source);
            String key = ruleText(rule, at, "key", false, source);
            String mqttTopic = ruleText(rule, at, "mqtt-topic", false, source);
            String format = ruleText(rule, at, "format", false, source);
            String schema = ruleText(rule, at, "schema", false, source);
            String schemaFile = ruleText(rule, at, "schema-file", false, source);
            try {
                format = MappingConfig.payloadFormat(format, schema, schemaFile).kind().toString();
            } catch (IllegalArgumentException e) {
                throw valueError(at + ".format", e.getMessage(), source);
            }
            try {
                TopicFilter.parse(filter);
            } catch (IllegalArgumentException e) {
                throw valueError(at + ".filter", e.getMessage(), source);
            }
            String topicProblem = Settings.kafkaTopicProblem(topic);
            if (topicProblem != null) {
                throw valueError(at + ".kafka-topic", topicProblem, source);
            }
            try {
                key = key == null ? "topic" : KeyStrategy.parse(key).toString();
            } catch (IllegalArgumentException e) {
                throw valueError(at + ".key", e.getMessage(), source);
            }
            if (mqttTopic != null) {
                String example = mqttTopic.replace(MappingRule.KEY_PLACEHOLDER, "key");
                if (example.isEmpty() || example.indexOf('+') >= 0 || example.indexOf('#') >= 0
                        || example.indexOf('\0') >= 0) {
                    throw valueError(at + ".mqtt-topic", "'" + mqttTopic + "' is not a topic name (with {key} for"
                            + " the record key; no wildcards)", source);
                }
            }
            mapping.add(new MappingConfig(filter, topic, key, mqttTopic, format, schema, schemaFile));
            mappingOrigins.add(source);
        }
    }

    private static String ruleText(JsonNode rule, String at, String name, boolean required, Source source) {
        JsonNode node = rule.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                throw valueError(at + "." + name, "is required", source);
            }
            return null;
        }
        if (!node.isTextual() && !node.isNumber()) {
            throw valueError(at + "." + name, "expected a string, got " + ValueType.describe(node), source);
        }
        return node.asText();
    }

    // ---- environment and flags --------------------------------------------------------------------------------

    /** Applies the {@code TRIBUTARY_*} variables of {@code environment}, in name order; others are ignored. */
    void applyEnvironment(Map<String, String> environment) {
        for (Map.Entry<String, String> var : new TreeMap<>(environment).entrySet()) {
            if (var.getKey().startsWith("TRIBUTARY_")) {
                applyEnv(var.getKey(), var.getValue());
            }
        }
    }

    private void applyEnv(String name, String value) {
        Source source = Source.env(name);
        String rest = name.substring("TRIBUTARY_".length());
        String normalized = Settings.normalize(rest);
        for (Settings.Setting s : Settings.leaves()) {
            if (Settings.normalize(s.key()).equals(normalized)) {
                putText(s, value, source);
                return;
            }
        }
        String[] words = rest.toLowerCase(java.util.Locale.ROOT).split("_", -1);
        for (int i = 1; i < words.length; i++) {
            String head = String.join("", Arrays.asList(words).subList(0, i));
            for (String map : Settings.PASSTHROUGH) {
                if (Settings.normalize(map).equals(head)) {
                    List<String> tail = Arrays.asList(words).subList(i, words.length);
                    if (tail.contains("")) {
                        throw ConfigException.invalid("environment variable " + name
                                + " does not name a " + map + " property (empty word)");
                    }
                    passthrough.get(map).put(String.join(".", tail), value);
                    return;
                }
            }
        }
        if (normalized.startsWith(Settings.MAPPING)) {
            throw ConfigException.invalid("environment variable " + name + ": mapping rules cannot be set from the"
                    + " environment; list them under 'mapping:' in the configuration file");
        }
        List<String> candidates = new ArrayList<>();
        for (Settings.Setting s : Settings.leaves()) {
            candidates.add(s.envName());
        }
        for (String map : Settings.PASSTHROUGH) {
            candidates.add(Settings.envName(map) + "_<PROPERTY>");
        }
        String suggestion = Suggestions.closest(name, candidates);
        throw ConfigException.invalid("unknown environment variable " + name
                + (suggestion == null ? "" : " (did you mean " + suggestion + "?)"));
    }

    /** Applies {@code key=value} of {@code --set}; the key is dotted like in the file. */
    void applySet(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("invalid command line: --set expects KEY=VALUE, got '" + assignment + "'");
        }
        String key = assignment.substring(0, eq).trim();
        String value = assignment.substring(eq + 1);
        Source source = Source.flag("--set " + key);
        Settings.Setting leaf = Settings.leaf(key);
        if (leaf != null) {
            putText(leaf, value, source);
            return;
        }
        String map = Settings.passthroughOf(key);
        if (map != null) {
            passthrough.get(map).put(key.substring(map.length() + 1), value);
            return;
        }
        if (key.equals(Settings.MAPPING) || key.startsWith(Settings.MAPPING + ".")
                || key.startsWith(Settings.MAPPING + "[")) {
            throw ConfigException.invalid(key + ": mapping rules cannot be set with --set; list them under"
                    + " 'mapping:' in the configuration file");
        }
        if (Settings.isSection(key) || Settings.isPassthrough(key)) {
            throw ConfigException.invalid(key + " is a section; --set takes a single setting such as "
                    + (Settings.isPassthrough(key) ? key + ".<property>" : key + ".<name>") + "=VALUE");
        }
        throw unknown(key, "in flag --set");
    }

    /** Applies a dedicated flag such as {@code --mqtt-port 1884}. */
    void applyFlag(String flag, String key, String value) {
        putText(Settings.leaf(key), value, Source.flag(flag));
    }

    private void putText(Settings.Setting setting, String value, Source source) {
        try {
            put(setting.key(), setting.type().fromText(value), source);
        } catch (ValueType.Invalid e) {
            throw valueError(setting.key(), e.getMessage(), source);
        }
    }

    private void put(String key, JsonNode value, Source source) {
        values.put(key, value);
        origins.put(key, source);
    }

    // ---- result -----------------------------------------------------------------------------------------------

    /** Checks what involves more than one setting, and maps the merged tree to the records. */
    TributaryConfig build() {
        if (!values.containsKey(Settings.NODE_ID)) {
            values.put(Settings.NODE_ID, TextNode.valueOf(Settings.defaultNodeId(env)));
        }
        crossChecks();
        return ConfigMapper.toConfig(tree());
    }

    private void crossChecks() {
        if (values.get("kafka.embedded.port").longValue() == values.get("kafka.embedded.controller-port").longValue()) {
            throw valueError("kafka.embedded.controller-port", "must differ from kafka.embedded.port ("
                    + values.get("kafka.embedded.port") + ")", origins.get("kafka.embedded.controller-port"));
        }
        Map<String, String> stateTopics = new LinkedHashMap<>();
        for (String name : List.of("retained", "sessions", "subscriptions")) {
            stateTopics.put(values.get("kafka.topics." + name).textValue(), "kafka.topics." + name);
        }
        for (int i = 0; i < mapping.size(); i++) {
            String stateKey = stateTopics.get(mapping.get(i).kafkaTopic());
            if (stateKey != null) {
                throw valueError(Settings.MAPPING + "[" + i + "].kafka-topic", "'" + mapping.get(i).kafkaTopic()
                        + "' is a state topic (" + stateKey + "); messages cannot go there", mappingOrigins.get(i));
            }
        }
    }

    /** The merged tree in the shape of the file. */
    ObjectNode tree() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        values.forEach((key, value) -> parentOf(root, key).set(lastPart(key), value));
        passthrough.forEach((map, entries) -> {
            ObjectNode node = parentOf(root, map).putObject(lastPart(map));
            entries.forEach(node::put);
        });
        ArrayNode rules = root.putArray(Settings.MAPPING);
        for (MappingConfig rule : mapping) {
            rules.addObject().put("filter", rule.filter()).put("kafka-topic", rule.kafkaTopic())
                    .put("key", rule.key()).put("mqtt-topic", rule.mqttTopic()).put("format", rule.format())
                    .put("schema", rule.schema()).put("schema-file", rule.schemaFile());
        }
        return root;
    }

    private static ObjectNode parentOf(ObjectNode root, String key) {
        ObjectNode node = root;
        String[] parts = key.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.has(parts[i]) ? (ObjectNode) node.get(parts[i]) : node.putObject(parts[i]);
        }
        return node;
    }

    private static String lastPart(String key) {
        return key.substring(key.lastIndexOf('.') + 1);
    }

    private static void requireSection(String key, JsonNode value, Source source) {
        if (!value.isObject()) {
            throw valueError(key, "expected a section of settings, got " + ValueType.describe(value), source);
        }
    }

    private static ConfigException valueError(String key, String problem, Source source) {
        return ConfigException.invalid(key + ": " + problem + " (from " + source + ")");
    }

    private static ConfigException unknown(String key, String where) {
        String suggestion = Suggestions.closest(key, Settings.allKeys());
        return ConfigException.invalid("unknown setting '" + key + "' " + where
                + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)"));
    }
}
