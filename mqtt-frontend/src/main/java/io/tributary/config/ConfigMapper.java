package io.tributary.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Jackson side: YAML in and out, and the strict mapping of the merged tree to the records. Strict means unknown
 * or missing properties fail, and no coercion turns a string into a number or boolean (the loader has already
 * normalized and checked every value, so a failure here is a bug in the settings table).
 */
final class ConfigMapper {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Integer, c -> c
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Boolean, c -> c
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
            .addModule(new SimpleModule("tributary-config")
                    .addSerializer(Duration.class, new DurationSerializer())
                    .addDeserializer(Duration.class, new DurationDeserializer())
                    .addSerializer(Path.class, new PathSerializer())
                    .addDeserializer(Path.class, new PathDeserializer()))
            .build();

    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL) // "mqtt:" with nothing under it is null
                    .build())
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private ConfigMapper() {
    }

    /** Parses a YAML document into a tree; an empty document gives null. */
    static JsonNode readYaml(String text) throws JsonProcessingException {
        return YAML.readTree(text);
    }

    /** Maps the merged, validated tree to the records. */
    static TributaryConfig toConfig(ObjectNode tree) {
        try {
            return MAPPER.treeToValue(tree, TributaryConfig.class);
        } catch (JsonProcessingException e) {
            String path = e instanceof JsonMappingException m
                    ? m.getPath().stream()
                            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                            .collect(Collectors.joining("."))
                    : "?";
            throw new IllegalStateException("settings table and records disagree at " + path + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    static String toYaml(TributaryConfig config) {
        ObjectNode tree = MAPPER.valueToTree(config);
        for (String map : Settings.PASSTHROUGH) {
            JsonNode node = at(tree, map);
            if (node instanceof ObjectNode object) {
                for (String name : object.properties().stream().map(Map.Entry::getKey).toList()) {
                    if (Secrets.isSecret(name)) {
                        object.put(name, Secrets.MASK);
                    }
                }
            }
        }
        try {
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode at(JsonNode tree, String dottedKey) {
        JsonNode node = tree;
        for (String part : dottedKey.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node;
    }

    private static final class DurationSerializer extends JsonSerializer<Duration> {
        @Override
        public void serialize(Duration value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(Durations.format(value));
        }
    }

    private static final class DurationDeserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
            }
            try {
                return Durations.parse(p.getText());
            } catch (IllegalArgumentException e) {
                return (Duration) ctxt.handleWeirdStringValue(Duration.class, p.getText(), e.getMessage());
            }
        }
    }

    private static final class PathSerializer extends JsonSerializer<Path> {
        @Override
        public void serialize(Path value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(value.toString());
        }
    }

    private static final class PathDeserializer extends JsonDeserializer<Path> {
        @Override
        public Path deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (Path) ctxt.handleUnexpectedToken(Path.class, p);
            }
            return Path.of(p.getText());
        }
    }
}
