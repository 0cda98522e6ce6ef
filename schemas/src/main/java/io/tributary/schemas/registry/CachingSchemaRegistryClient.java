package io.tributary.schemas.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;

/**
 * Caches the answers of another client that never change: the schema of an id and the id of a schema under a
 * subject, for ever; the latest version of a subject for a short time ({@code latestTtl}), so that a new version
 * is seen soon. Everything else is passed through. Failures are not cached.
 *
 * <p>Concurrent first requests for one key may each reach the registry once; that is harmless, and cheaper than
 * blocking other keys while a request is in flight.
 */
public final class CachingSchemaRegistryClient implements SchemaRegistryClient {

    private record SubjectSchema(String subject, Schema schema) {
    }

    private record Latest(RegisteredSchema schema, Instant expires) {
    }

    private final SchemaRegistryClient delegate;
    private final Duration latestTtl;
    private final Clock clock;
    private final ConcurrentMap<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final ConcurrentMap<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
    private final ConcurrentMap<SubjectSchema, RegisteredSchema> lookups = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Latest> latest = new ConcurrentHashMap<>();

    public CachingSchemaRegistryClient(SchemaRegistryClient delegate) {
        this(delegate, RegistrySettings.DEFAULT_LATEST_TTL, Clock.systemUTC());
    }

    public CachingSchemaRegistryClient(SchemaRegistryClient delegate, Duration latestTtl, Clock clock) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.latestTtl = Objects.requireNonNull(latestTtl, "latestTtl");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer id = ids.get(key);
        if (id == null) {
            id = delegate.register(subject, schema);
            ids.put(key, id);
            schemasById.putIfAbsent(id, schema);
            latest.remove(subject); // it may have a new latest version now
        }
        return id;
    }

    @Override
    public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        RegisteredSchema found = lookups.get(key);
        if (found == null) {
            Optional<RegisteredSchema> answer = delegate.lookup(subject, schema);
            if (answer.isEmpty()) {
                return answer; // it may be registered later
            }
            found = answer.get();
            lookups.put(key, found);
            ids.putIfAbsent(key, found.id());
            schemasById.putIfAbsent(found.id(), found.schema());
        }
        return Optional.of(found);
    }

    @Override
    public Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            schema = delegate.schemaById(id);
            Schema raced = schemasById.putIfAbsent(id, schema);
            if (raced != null) {
                schema = raced;
            }
        }
        return schema;
    }

    @Override
    public RegisteredSchema latest(String subject) {
        Instant now = clock.instant();
        Latest cached = latest.get(subject);
        if (cached != null && now.isBefore(cached.expires())) {
            return cached.schema();
        }
        RegisteredSchema answer = delegate.latest(subject);
        remember(answer);
        if (!latestTtl.isZero()) {
            latest.put(subject, new Latest(answer, now.plus(latestTtl)));
        }
        return answer;
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        RegisteredSchema answer = delegate.version(subject, version);
        remember(answer);
        return answer;
    }

    private void remember(RegisteredSchema answer) {
        schemasById.putIfAbsent(answer.id(), answer.schema());
        ids.putIfAbsent(new SubjectSchema(answer.subject(), answer.schema()), answer.id());
    }

    @Override
    public List<String> subjects() {
        return delegate.subjects();
    }

    @Override
    public List<Integer> versions(String subject) {
        return delegate.versions(subject);
    }

    @Override
    public CompatibilityResult checkCompatibility(String subject, Schema schema) {
        return delegate.checkCompatibility(subject, schema);
    }

    @Override
    public CompatibilityResult checkCompatibility(String subject, int version, Schema schema) {
        return delegate.checkCompatibility(subject, version, schema);
    }

    @Override
    public CompatibilityLevel globalCompatibility() {
        return delegate.globalCompatibility();
    }

    @Override
    public CompatibilityLevel setGlobalCompatibility(CompatibilityLevel level) {
        return delegate.setGlobalCompatibility(level);
    }

    @Override
    public Optional<CompatibilityLevel> subjectCompatibility(String subject) {
        return delegate.subjectCompatibility(subject);
    }

    @Override
    public CompatibilityLevel setSubjectCompatibility(String subject, CompatibilityLevel level) {
        return delegate.setSubjectCompatibility(subject, level);
    }

    @Override
    public List<Integer> deleteSubject(String subject, boolean permanent) {
        try {
            return delegate.deleteSubject(subject, permanent);
        } finally {
            forget(subject);
        }
    }

    /** Drops what is cached about a subject (the schemas by id stay: ids are never reused). */
    public void forget(String subject) {
        latest.remove(subject);
        ids.keySet().removeIf(k -> k.subject().equals(subject));
        lookups.keySet().removeIf(k -> k.subject().equals(subject));
    }

    @Override
    public void close() {
        delegate.close();
    }
}
