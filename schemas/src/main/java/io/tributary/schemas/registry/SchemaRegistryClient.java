package io.tributary.schemas.registry;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The operations of the Confluent Schema Registry REST API that Avro producers, consumers and operators use.
 * Every method throws {@link SchemaRegistryException} when the registry refuses the request or cannot be reached.
 *
 * <p>Implementations: {@link HttpSchemaRegistryClient} (a real registry, cached), {@link
 * InMemorySchemaRegistryClient} (tests), {@link CachingSchemaRegistryClient} (caches any other).
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /**
     * Registers {@code schema} under {@code subject} (a new version unless it is there already) and returns its
     * id. 409 ({@link SchemaRegistryException#isIncompatible()}) if the subject's compatibility level refuses it,
     * 422 if the registry finds it invalid.
     */
    int register(String subject, Schema schema);

    /** The version of {@code subject} that is {@code schema}, or empty if the subject does not have it. */
    Optional<RegisteredSchema> lookup(String subject, Schema schema);

    /** The schema with a registry-wide id; 404 (error 40403) if there is none. */
    Schema schemaById(int id);

    /** The latest version of a subject; 404 (error 40401) if there is no such subject. */
    RegisteredSchema latest(String subject);

    /** A given version of a subject; 404 (40401 no such subject, 40402 no such version) if absent. */
    RegisteredSchema version(String subject, int version);

    /** Every subject, in the registry's order. */
    List<String> subjects();

    /** The versions of a subject, oldest first. */
    List<Integer> versions(String subject);

    /**
     * Whether {@code schema} could be registered under {@code subject} as far as the latest version is
     * concerned, by the subject's compatibility level. A subject with no versions accepts any schema.
     */
    CompatibilityResult checkCompatibility(String subject, Schema schema);

    /** Whether {@code schema} is compatible with one version of {@code subject}, by the subject's level. */
    CompatibilityResult checkCompatibility(String subject, int version, Schema schema);

    /** The registry-wide compatibility level. */
    CompatibilityLevel globalCompatibility();

    /** Sets the registry-wide compatibility level; returns the level now in force. */
    CompatibilityLevel setGlobalCompatibility(CompatibilityLevel level);

    /** The subject's own compatibility level, or empty if it follows the global one. */
    Optional<CompatibilityLevel> subjectCompatibility(String subject);

    /** Sets a subject's own compatibility level; returns the level now in force. */
    CompatibilityLevel setSubjectCompatibility(String subject, CompatibilityLevel level);

    /** Deletes a subject (a soft delete, as the registry does by default); returns the versions deleted. */
    default List<Integer> deleteSubject(String subject) {
        return deleteSubject(subject, false);
    }

    /**
     * Deletes a subject; {@code permanent} removes a subject that was soft-deleted before (Confluent refuses a
     * permanent delete of a subject that was not: error 40405). Returns the versions deleted.
     */
    List<Integer> deleteSubject(String subject, boolean permanent);

    /** Releases what the client holds; the default holds nothing. */
    @Override
    default void close() {
    }
}
