package io.tributary.bridge.registry;

import java.util.Objects;

/**
 * One version of a subject.
 *
 * @param subject  the subject, e.g. {@code mqtt.messages-value}
 * @param version  1, 2, ... within the subject
 * @param id       the global id of the schema text (the same text has the same id in every subject)
 * @param schema   the Avro schema in Avro's canonical JSON ({@code Schema.toString()})
 * @param deleted  soft-deleted: kept (its id still resolves) but no longer listed nor checked against
 */
public record SchemaEntry(String subject, int version, int id, String schema, boolean deleted) {

    public SchemaEntry {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1: " + version);
        }
        if (id < 1) {
            throw new IllegalArgumentException("id must be >= 1: " + id);
        }
    }

    public SchemaEntry asDeleted() {
        return new SchemaEntry(subject, version, id, schema, true);
    }
}
