package io.tributary.schemas.registry;

import java.util.List;

/** The answer to a compatibility check: whether the schema is compatible, and the registry's reasons if not. */
public record CompatibilityResult(boolean compatible, List<String> messages) {

    public CompatibilityResult {
        messages = List.copyOf(messages);
    }

    public static CompatibilityResult ok() {
        return new CompatibilityResult(true, List.of());
    }
}
