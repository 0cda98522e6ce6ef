package io.tributary.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A subject's compatibility level, as the Confluent Schema Registry names them. BACKWARD: a new schema reads data
 * written with the previous one; FORWARD: the previous schema reads data written with the new one; FULL: both;
 * TRANSITIVE: against every earlier version, not only the latest; NONE: no check.
 */
public enum CompatibilityLevel {
    NONE,
    BACKWARD,
    BACKWARD_TRANSITIVE,
    FORWARD,
    FORWARD_TRANSITIVE,
    FULL,
    FULL_TRANSITIVE;

    /** Whether a new schema must read data written with the earlier ones. */
    public boolean backward() {
        return this == BACKWARD || this == BACKWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
    }

    /** Whether the earlier schemas must read data written with a new one. */
    public boolean forward() {
        return this == FORWARD || this == FORWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
    }

    /** Whether every earlier version is checked, not only the latest. */
    public boolean transitive() {
        return this == BACKWARD_TRANSITIVE || this == FORWARD_TRANSITIVE || this == FULL_TRANSITIVE;
    }

    /** The level of a registry, or of a subject, that nobody configured (Confluent's default). */
    public static final CompatibilityLevel DEFAULT = BACKWARD;

    /** The level named {@code name}, in any case; empty for an unknown name or null. */
    public static Optional<CompatibilityLevel> find(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(name.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Of the previous versions (oldest first), those a new schema is checked against: all of them when
     * transitive, the newest otherwise, none for {@link #NONE}.
     */
    public <T> List<T> checkedVersions(List<T> previousOldestFirst) {
        if (this == NONE || previousOldestFirst.isEmpty()) {
            return List.of();
        }
        if (transitive()) {
            return List.copyOf(previousOldestFirst);
        }
        return List.of(previousOldestFirst.get(previousOldestFirst.size() - 1));
    }

    /**
     * Why {@code candidate} is not compatible with {@code previous} in this level's direction(s), checked with
     * Avro's own {@link SchemaCompatibility}: one message per incompatibility Avro reports, in Confluent's style;
     * empty when compatible.
     */
    public List<String> incompatibilities(Schema candidate, Schema previous) {
        List<String> messages = new ArrayList<>();
        if (backward()) {
            // the new schema reads what producers wrote with the old one
            describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, previous), "new", "old", messages);
        }
        if (forward()) {
            describe(SchemaCompatibility.checkReaderWriterCompatibility(previous, candidate), "old", "new", messages);
        }
        return messages;
    }

    /** Why {@code candidate} may not follow {@code previousOldestFirst} under this level; empty when it may. */
    public List<String> incompatibilities(Schema candidate, List<Schema> previousOldestFirst) {
        List<String> messages = new ArrayList<>();
        for (Schema previous : checkedVersions(previousOldestFirst)) {
            messages.addAll(incompatibilities(candidate, previous));
        }
        return messages;
    }

    private static void describe(SchemaCompatibility.SchemaPairCompatibility pair, String reader, String writer,
            List<String> messages) {
        for (SchemaCompatibility.Incompatibility incompatibility : pair.getResult().getIncompatibilities()) {
            messages.add("{errorType:'" + incompatibility.getType() + "', description:'The " + reader
                    + " schema cannot read data written with the " + writer + " schema at path '"
                    + incompatibility.getLocation() + "': " + incompatibility.getMessage() + "', additionalInfo:'"
                    + incompatibility.getMessage() + "'}");
        }
    }

    /** The level of a name, in any case; IllegalArgumentException naming the valid levels if there is none. */
    public static CompatibilityLevel parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown compatibility level '" + name + "': expected one of "
                    + java.util.Arrays.toString(values()), e);
        }
    }
}
