package io.tributary.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * A schema registry in memory, for tests: ids and versions are assigned as the Confluent Schema Registry assigns
 * them (the same schema text has the same id in every subject; versions count from 1 per subject), compatibility
 * is checked with Avro's own {@link SchemaCompatibility} by the subject's level (the global default is BACKWARD,
 * as Confluent's), and errors carry Confluent's statuses and error codes. Thread-safe.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {

    private static final class Subject {
        final Map<Integer, RegisteredSchema> versions = new LinkedHashMap<>();
        int lastVersion;
        boolean deleted;
        CompatibilityLevel level;
    }

    private final Map<String, Integer> idsByText = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, Subject> subjects = new TreeMap<>();
    private CompatibilityLevel global;
    private int lastId;

    public InMemorySchemaRegistryClient() {
        this(CompatibilityLevel.BACKWARD);
    }

    public InMemorySchemaRegistryClient(CompatibilityLevel global) {
        this.global = Objects.requireNonNull(global, "global");
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        Objects.requireNonNull(schema, "schema");
        String text = schema.toString();
        Subject s = subjects.computeIfAbsent(subject, k -> new Subject());
        if (s.deleted) {
            // registering into a soft-deleted subject starts it again; version numbers go on
            s.versions.clear();
            s.deleted = false;
        }
        for (RegisteredSchema existing : s.versions.values()) {
            if (existing.schema().toString().equals(text)) {
                return existing.id();
            }
        }
        CompatibilityLevel level = s.level != null ? s.level : global;
        List<RegisteredSchema> against = new ArrayList<>(s.versions.values());
        if (!level.transitive() && !against.isEmpty()) {
            against = List.of(against.get(against.size() - 1));
        }
        List<String> problems = new ArrayList<>();
        for (RegisteredSchema earlier : against) {
            problems.addAll(check(level, schema, earlier));
        }
        if (!problems.isEmpty()) {
            String message = "Schema being registered is incompatible with an earlier schema for subject \""
                    + subject + "\", details: " + problems;
            throw new SchemaRegistryException("in-memory schema registry refused to register a schema under subject '"
                    + subject + "': the schema is incompatible with an earlier version (HTTP 409, error 409): "
                    + message, 409, SchemaRegistryException.INCOMPATIBLE_SCHEMA, message);
        }
        int id = idsByText.computeIfAbsent(text, t -> ++lastId);
        schemasById.putIfAbsent(id, schema);
        int version = ++s.lastVersion;
        s.versions.put(version, new RegisteredSchema(subject, id, version, schema));
        return id;
    }

    @Override
    public synchronized Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        Subject s = subjects.get(subject);
        if (s == null || s.deleted) {
            return Optional.empty();
        }
        String text = schema.toString();
        return s.versions.values().stream().filter(r -> r.schema().toString().equals(text)).findFirst();
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw notFound(SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema latest(String subject) {
        List<RegisteredSchema> versions = new ArrayList<>(live(subject).versions.values());
        if (versions.isEmpty()) {
            throw notFound(SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
        }
        return versions.get(versions.size() - 1);
    }

    @Override
    public synchronized RegisteredSchema version(String subject, int version) {
        RegisteredSchema found = live(subject).versions.get(version);
        if (found == null) {
            throw notFound(SchemaRegistryException.VERSION_NOT_FOUND, "Version " + version + " not found.");
        }
        return found;
    }

    @Override
    public synchronized List<String> subjects() {
        return subjects.entrySet().stream().filter(e -> !e.getValue().deleted && !e.getValue().versions.isEmpty())
                .map(Map.Entry::getKey).toList();
    }

    @Override
    public synchronized List<Integer> versions(String subject) {
        return List.copyOf(live(subject).versions.keySet());
    }

    @Override
    public synchronized CompatibilityResult checkCompatibility(String subject, Schema schema) {
        Subject s = subjects.get(subject);
        if (s == null || s.deleted || s.versions.isEmpty()) {
            return CompatibilityResult.ok();
        }
        return checkCompatibility(subject, s.lastVersion, schema);
    }

    @Override
    public synchronized CompatibilityResult checkCompatibility(String subject, int version, Schema schema) {
        RegisteredSchema earlier = version(subject, version);
        Subject s = subjects.get(subject);
        List<String> problems = check(s.level != null ? s.level : global, schema, earlier);
        return new CompatibilityResult(problems.isEmpty(), problems);
    }

    @Override
    public synchronized CompatibilityLevel globalCompatibility() {
        return global;
    }

    @Override
    public synchronized CompatibilityLevel setGlobalCompatibility(CompatibilityLevel level) {
        global = Objects.requireNonNull(level, "level");
        return global;
    }

    @Override
    public synchronized Optional<CompatibilityLevel> subjectCompatibility(String subject) {
        Subject s = subjects.get(subject);
        return Optional.ofNullable(s == null ? null : s.level);
    }

    @Override
    public synchronized CompatibilityLevel setSubjectCompatibility(String subject, CompatibilityLevel level) {
        subjects.computeIfAbsent(subject, k -> new Subject()).level = Objects.requireNonNull(level, "level");
        return level;
    }

    @Override
    public synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
        Subject s = subjects.get(subject);
        if (s == null || s.versions.isEmpty()) {
            throw notFound(SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
        }
        List<Integer> versions = List.copyOf(s.versions.keySet());
        if (permanent) {
            if (!s.deleted) {
                String message = "Subject '" + subject + "' was not deleted first before being permanently deleted";
                throw new SchemaRegistryException("in-memory schema registry refused to permanently delete subject '"
                        + subject + "' (HTTP 404, error 40405): " + message, 404,
                        SchemaRegistryException.SUBJECT_NOT_SOFT_DELETED, message);
            }
            subjects.remove(subject);
        } else {
            if (s.deleted) {
                String message = "Subject '" + subject + "' was soft deleted. Set permanent=true to delete permanently";
                throw new SchemaRegistryException("in-memory schema registry could not delete subject '" + subject
                        + "' (HTTP 404, error 40404): " + message, 404, SchemaRegistryException.SUBJECT_SOFT_DELETED,
                        message);
            }
            s.deleted = true;
        }
        return versions;
    }

    private Subject live(String subject) {
        Subject s = subjects.get(subject);
        if (s == null || s.deleted || s.versions.isEmpty()) {
            throw notFound(SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
        }
        return s;
    }

    /** What stops {@code schema} from following {@code earlier} under {@code level}; empty if nothing. */
    private static List<String> check(CompatibilityLevel level, Schema schema, RegisteredSchema earlier) {
        List<String> problems = new ArrayList<>();
        if (level.backward()) {
            problems.addAll(problems("reader", SchemaCompatibility.checkReaderWriterCompatibility(schema,
                    earlier.schema()), earlier.version()));
        }
        if (level.forward()) {
            problems.addAll(problems("writer", SchemaCompatibility.checkReaderWriterCompatibility(earlier.schema(),
                    schema), earlier.version()));
        }
        return problems;
    }

    private static List<String> problems(String role, SchemaPairCompatibility pair, int version) {
        List<String> problems = new ArrayList<>();
        for (SchemaCompatibility.Incompatibility i : pair.getResult().getIncompatibilities()) {
            SchemaIncompatibilityType type = i.getType();
            problems.add("{errorType:'" + type + "', description:'" + i.getMessage() + "', location:'"
                    + i.getLocation() + "', version: " + version + ", new schema as " + role + "}");
        }
        return problems;
    }

    private static SchemaRegistryException notFound(int code, String message) {
        return new SchemaRegistryException("in-memory schema registry: " + message + " (HTTP 404, error " + code + ")",
                404, code, message);
    }
}
