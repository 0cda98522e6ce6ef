package io.tributary.bridge.registry;

import io.tributary.schemas.registry.CompatibilityLevel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * What the schemas topic says, record by record: the versions of every subject, the schema of every id, the
 * compatibility levels. It holds no rules of its own (a later record of a key replaces the earlier one, as
 * compaction would): the rules are applied before writing, by {@link SchemaRegistryService}, on a state that holds
 * every record written so far.
 *
 * <p>Thread-safe: records are applied by the reader of the topic, queries come from any thread.
 */
public final class RegistryState {

    private final Map<String, TreeMap<Integer, SchemaEntry>> subjects = new TreeMap<>();
    private final Map<Integer, String> schemaById = new HashMap<>();
    private final Map<String, Integer> idBySchema = new HashMap<>();
    private final Map<Integer, Integer> entriesById = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel; // null: nobody set one
    private int highestId;

    public synchronized void apply(RegistryRecord record) {
        if (record instanceof RegistryRecord.SchemaVersion version) {
            SchemaEntry entry = version.entry();
            SchemaEntry replaced = subjects.computeIfAbsent(entry.subject(), s -> new TreeMap<>())
                    .put(entry.version(), entry);
            if (replaced != null) {
                release(replaced);
            }
            entriesById.merge(entry.id(), 1, Integer::sum);
            schemaById.put(entry.id(), entry.schema());
            idBySchema.put(entry.schema(), entry.id());
            highestId = Math.max(highestId, entry.id());
        } else if (record instanceof RegistryRecord.SchemaVersionDeleted deleted) {
            TreeMap<Integer, SchemaEntry> versions = subjects.get(deleted.subject());
            SchemaEntry removed = versions == null ? null : versions.remove(deleted.version());
            if (removed != null) {
                release(removed);
                if (versions.isEmpty()) {
                    subjects.remove(deleted.subject());
                }
            }
        } else if (record instanceof RegistryRecord.Config config) {
            if (config.subject() == null) {
                globalLevel = config.level();
            } else {
                subjectLevels.put(config.subject(), config.level());
            }
        } else if (record instanceof RegistryRecord.ConfigDeleted deleted) {
            if (deleted.subject() == null) {
                globalLevel = null;
            } else {
                subjectLevels.remove(deleted.subject());
            }
        } else if (record instanceof RegistryRecord.IdHighWatermark watermark) {
            highestId = Math.max(highestId, watermark.highestId());
        }
    }

    private void release(SchemaEntry entry) {
        int left = entriesById.merge(entry.id(), -1, Integer::sum);
        if (left <= 0) {
            entriesById.remove(entry.id());
            schemaById.remove(entry.id());
            idBySchema.remove(entry.schema(), entry.id());
        }
    }

    /** Subjects, sorted, that have a version that is not soft-deleted (or any version, with {@code includeDeleted}). */
    public synchronized List<String> subjects(boolean includeDeleted) {
        List<String> names = new ArrayList<>();
        subjects.forEach((subject, versions) -> {
            if (includeDeleted || versions.values().stream().anyMatch(e -> !e.deleted())) {
                names.add(subject);
            }
        });
        return names;
    }

    /** The versions of {@code subject}, oldest first; soft-deleted ones only with {@code includeDeleted}. */
    public synchronized List<SchemaEntry> versions(String subject, boolean includeDeleted) {
        TreeMap<Integer, SchemaEntry> versions = subjects.get(subject);
        if (versions == null) {
            return List.of();
        }
        return versions.values().stream().filter(e -> includeDeleted || !e.deleted()).toList();
    }

    /** The schema of {@code id}, as long as a version has it (a soft-deleted one too). */
    public synchronized Optional<String> schema(int id) {
        return Optional.ofNullable(schemaById.get(id));
    }

    /** The versions that have schema {@code id}, by subject then version. */
    public synchronized List<SchemaEntry> versionsWithId(int id, boolean includeDeleted) {
        List<SchemaEntry> found = new ArrayList<>();
        subjects.values().forEach(versions -> versions.values().forEach(e -> {
            if (e.id() == id && (includeDeleted || !e.deleted())) {
                found.add(e);
            }
        }));
        return found;
    }

    /** The id of a canonical schema text, in whatever subject it was registered. */
    public synchronized OptionalInt id(String canonicalSchema) {
        Integer id = idBySchema.get(canonicalSchema);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The highest id handed out so far, 0 if none. */
    public synchronized int highestId() {
        return highestId;
    }

    /** The global level: the one set by {@code PUT /config}, else {@link CompatibilityLevel#DEFAULT}. */
    public synchronized CompatibilityLevel globalLevel() {
        return globalLevel == null ? CompatibilityLevel.DEFAULT : globalLevel;
    }

    /** The level set for {@code subject} itself, if any. */
    public synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    /** The level that applies to {@code subject}: its own, else the global one. */
    public synchronized CompatibilityLevel level(String subject) {
        CompatibilityLevel own = subjectLevels.get(subject);
        return own != null ? own : globalLevel();
    }
}
