package io.tributary.schemas.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/** Passes every call to another client and counts the calls by method name. */
final class CountingClient implements SchemaRegistryClient {

    private final SchemaRegistryClient delegate;
    private final Map<String, Integer> calls = new ConcurrentHashMap<>();

    CountingClient(SchemaRegistryClient delegate) {
        this.delegate = delegate;
    }

    int calls(String method) {
        return calls.getOrDefault(method, 0);
    }

    int totalCalls() {
        return calls.values().stream().mapToInt(Integer::intValue).sum();
    }

    private void count(String method) {
        calls.merge(method, 1, Integer::sum);
    }

    @Override
    public int register(String subject, Schema schema) {
        count("register");
        return delegate.register(subject, schema);
    }

    @Override
    public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        count("lookup");
        return delegate.lookup(subject, schema);
    }

    @Override
    public Schema schemaById(int id) {
        count("schemaById");
        return delegate.schemaById(id);
    }

    @Override
    public RegisteredSchema latest(String subject) {
        count("latest");
        return delegate.latest(subject);
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        count("version");
        return delegate.version(subject, version);
    }

    @Override
    public List<String> subjects() {
        count("subjects");
        return delegate.subjects();
    }

    @Override
    public List<Integer> versions(String subject) {
        count("versions");
        return delegate.versions(subject);
    }

    @Override
    public CompatibilityResult checkCompatibility(String subject, Schema schema) {
        count("checkCompatibility");
        return delegate.checkCompatibility(subject, schema);
    }

    @Override
    public CompatibilityResult checkCompatibility(String subject, int version, Schema schema) {
        count("checkCompatibility");
        return delegate.checkCompatibility(subject, version, schema);
    }

    @Override
    public CompatibilityLevel globalCompatibility() {
        count("globalCompatibility");
        return delegate.globalCompatibility();
    }

    @Override
    public CompatibilityLevel setGlobalCompatibility(CompatibilityLevel level) {
        count("setGlobalCompatibility");
        return delegate.setGlobalCompatibility(level);
    }

    @Override
    public Optional<CompatibilityLevel> subjectCompatibility(String subject) {
        count("subjectCompatibility");
        return delegate.subjectCompatibility(subject);
    }

    @Override
    public CompatibilityLevel setSubjectCompatibility(String subject, CompatibilityLevel level) {
        count("setSubjectCompatibility");
        return delegate.setSubjectCompatibility(subject, level);
    }

    @Override
    public List<Integer> deleteSubject(String subject, boolean permanent) {
        count("deleteSubject");
        return delegate.deleteSubject(subject, permanent);
    }

    @Override
    public void close() {
        count("close");
        delegate.close();
    }
}
