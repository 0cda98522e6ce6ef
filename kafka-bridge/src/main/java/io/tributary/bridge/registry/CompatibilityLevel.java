package io.tributary.bridge.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * Confluent's compatibility levels, checked with Avro's own {@link SchemaCompatibility}. BACKWARD: the new schema
 * can read data written with the previous one; FORWARD: the previous schema can read data written with the new
 * one; FULL: both. The plain levels check against the newest previous version, the {@code _TRANSITIVE} ones
 * against every previous version.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    /** The level of a registry, or of a subject, that nobody configured (Confluent's default). */
    public static final CompatibilityLevel DEFAULT = BACKWARD;

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** The level named {@code name}, in any case; empty for an unknown name. */
    public static Optional<CompatibilityLevel> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(name.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public boolean isTransitive() {
        return transitive;
    }

    /**
     * Of the previous versions (oldest first), those a new schema is checked against: all of them when
     * transitive, the newest otherwise, none for {@link #NONE}.
     */
    public <T> List<T> checkedVersions(List<T> previousOldestFirst) {
        if (this == NONE || previousOldestFirst.isEmpty()) {
            return List.of();
        }
        if (transitive) {
            return List.copyOf(previousOldestFirst);
        }
        return List.of(previousOldestFirst.get(previousOldestFirst.size() - 1));
    }

    /**
     * Why {@code candidate} is not compatible with {@code previous} in this level's direction(s), one message per
     * incompatibility Avro reports, in Confluent's style; empty when compatible.
     */
    public List<String> incompatibilities(Schema candidate, Schema previous) {
        List<String> messages = new ArrayList<>();
        if (backward) {
            // the new schema reads what producers wrote with the old one
            describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, previous), "new", "old", messages);
        }
        if (forward) {
            describe(SchemaCompatibility.checkReaderWriterCompatibility(previous, candidate), "old", "new", messages);
        }
        return messages;
    }

    /**
     * Why {@code candidate} may not follow {@code previousOldestFirst} under this level; empty when it may.
     */
    public List<String> incompatibilities(Schema candidate, List<Schema> previousOldestFirst) {
        List<String> messages = new ArrayList<>();
        for (Schema previous : checkedVersions(previousOldestFirst)) {
            messages.addAll(incompatibilities(candidate, previous));
        }
        return messages;
    }

    private static void describe(SchemaCompatibility.SchemaPairCompatibility pair, String reader, String writer,
            List<String> messages) {
        for (Incompatibility incompatibility : pair.getResult().getIncompatibilities()) {
            messages.add("{errorType:'" + incompatibility.getType() + "', description:'The " + reader
                    + " schema cannot read data written with the " + writer + " schema at path '"
                    + incompatibility.getLocation() + "': " + incompatibility.getMessage() + "', additionalInfo:'"
                    + incompatibility.getMessage() + "'}");
        }
    }
}
