package io.tributary.bridge.registry;

import io.tributary.schemas.registry.CompatibilityLevel;
import java.util.Objects;

/**
 * A record of the schemas topic, decoded (see {@link EmbeddedSchemaRegistry} for the format). Records with the
 * same {@link #key} replace each other, as compaction does.
 */
public sealed interface RegistryRecord {

    /** What compaction keys on: records of equal keys replace each other. */
    Object key();

    /** A version of a subject, written on registration and again when soft-deleted. */
    record SchemaVersion(SchemaEntry entry) implements RegistryRecord {
        public SchemaVersion {
            Objects.requireNonNull(entry, "entry");
        }

        @Override
        public Object key() {
            return new VersionKey(entry.subject(), entry.version());
        }
    }

    /** The tombstone of a permanently deleted version. */
    record SchemaVersionDeleted(String subject, int version) implements RegistryRecord {
        public SchemaVersionDeleted {
            Objects.requireNonNull(subject, "subject");
        }

        @Override
        public Object key() {
            return new VersionKey(subject, version);
        }
    }

    /** The compatibility level of a subject, or the global one when {@code subject} is null. */
    record Config(String subject, CompatibilityLevel level) implements RegistryRecord {
        public Config {
            Objects.requireNonNull(level, "level");
        }

        @Override
        public Object key() {
            return new ConfigKey(subject);
        }
    }

    /** The tombstone of a subject's own level (the subject then follows the global one). */
    record ConfigDeleted(String subject) implements RegistryRecord {
        @Override
        public Object key() {
            return new ConfigKey(subject);
        }
    }

    /**
     * The highest id handed out so far. Written with each new id, so that ids are never handed out twice even
     * after the schema of the highest one was permanently deleted and compacted away.
     */
    record IdHighWatermark(int highestId) implements RegistryRecord {
        @Override
        public Object key() {
            return IdKey.INSTANCE;
        }
    }

    record VersionKey(String subject, int version) {
    }

    record ConfigKey(String subject) {
    }

    enum IdKey { INSTANCE }
}
