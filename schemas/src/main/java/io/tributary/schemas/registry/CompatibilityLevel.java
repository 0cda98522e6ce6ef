package io.tributary.schemas.registry;

import java.util.Locale;

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
