package io.tributary.bridge.registry;

import io.tributary.schemas.registry.CompatibilityLevel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Optional;

/**
 * The JSON keys and values of the schemas topic (the format is described in {@link EmbeddedSchemaRegistry}).
 * Keys are written with a fixed field order: compaction compares key bytes.
 */
public final class RegistryRecords {

    static final String SCHEMA = "SCHEMA";
    static final String CONFIG = "CONFIG";
    static final String ID_HIGH_WATERMARK = "ID_HIGH_WATERMARK";

    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryRecords() {
    }

    public static byte[] key(RegistryRecord record) {
        ObjectNode key = JSON.createObjectNode();
        if (record.key() instanceof RegistryRecord.VersionKey version) {
            key.put("keytype", SCHEMA);
            key.put("subject", version.subject());
            key.put("version", version.version());
            key.put("magic", 1);
        } else if (record.key() instanceof RegistryRecord.ConfigKey config) {
            key.put("keytype", CONFIG);
            key.put("subject", config.subject()); // null: the global level
            key.put("magic", 0);
        } else {
            key.put("keytype", ID_HIGH_WATERMARK);
            key.put("magic", 0);
        }
        return write(key);
    }

    /** The value, null for a tombstone. */
    public static byte[] value(RegistryRecord record) {
        ObjectNode value = JSON.createObjectNode();
        if (record instanceof RegistryRecord.SchemaVersion version) {
            SchemaEntry entry = version.entry();
            value.put("subject", entry.subject());
            value.put("version", entry.version());
            value.put("id", entry.id());
            value.put("schema", entry.schema());
            value.put("deleted", entry.deleted());
        } else if (record instanceof RegistryRecord.Config config) {
            value.put("compatibilityLevel", config.level().name());
        } else if (record instanceof RegistryRecord.IdHighWatermark watermark) {
            value.put("highestId", watermark.highestId());
        } else {
            return null;
        }
        return write(value);
    }

    /**
     * Decodes a record of the schemas topic; empty for key types this registry does not use (e.g. Confluent's
     * {@code NOOP}), which are skipped.
     *
     * @throws IllegalArgumentException if the record is not in the format
     */
    public static Optional<RegistryRecord> decode(byte[] keyBytes, byte[] valueBytes) {
        if (keyBytes == null) {
            throw new IllegalArgumentException("a record without a key");
        }
        JsonNode key = read(keyBytes, "key");
        String keytype = key.path("keytype").asText(null);
        if (SCHEMA.equals(keytype)) {
            String subject = requiredText(key, "subject", "key");
            int version = requiredInt(key, "version", "key");
            if (valueBytes == null) {
                return Optional.of(new RegistryRecord.SchemaVersionDeleted(subject, version));
            }
            JsonNode value = read(valueBytes, "value");
            SchemaEntry entry = new SchemaEntry(subject, version, requiredInt(value, "id", "value"),
                    requiredText(value, "schema", "value"), value.path("deleted").asBoolean(false));
            return Optional.of(new RegistryRecord.SchemaVersion(entry));
        }
        if (CONFIG.equals(keytype)) {
            JsonNode subjectNode = key.path("subject");
            String subject = subjectNode.isTextual() ? subjectNode.asText() : null;
            if (valueBytes == null) {
                return Optional.of(new RegistryRecord.ConfigDeleted(subject));
            }
            JsonNode value = read(valueBytes, "value");
            String level = requiredText(value, "compatibilityLevel", "value");
            return Optional.of(new RegistryRecord.Config(subject, CompatibilityLevel.find(level).orElseThrow(
                    () -> new IllegalArgumentException("unknown compatibility level '" + level + "'"))));
        }
        if (ID_HIGH_WATERMARK.equals(keytype)) {
            if (valueBytes == null) {
                return Optional.empty();
            }
            return Optional.of(new RegistryRecord.IdHighWatermark(
                    requiredInt(read(valueBytes, "value"), "highestId", "value")));
        }
        return Optional.empty();
    }

    private static byte[] write(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e); // an ObjectNode always serializes
        }
    }

    private static JsonNode read(byte[] bytes, String what) {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("the " + what + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new IllegalArgumentException("the " + what + " is not JSON: " + e.getMessage(), e);
        }
    }

    private static String requiredText(JsonNode node, String field, String what) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("the " + what + " has no text field '" + field + "'");
        }
        return value.asText();
    }

    private static int requiredInt(JsonNode node, String field, String what) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException("the " + what + " has no int field '" + field + "'");
        }
        return value.asInt();
    }
}
