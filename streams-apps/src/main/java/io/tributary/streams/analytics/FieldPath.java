package io.tributary.streams.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A dotted path into a JSON object, e.g. {@code env.humidity}: each segment is a member name. Names that contain a
 * dot cannot be addressed; arrays are not indexed.
 */
record FieldPath(String path, List<String> segments) {

    static FieldPath parse(String path) {
        if (path.isEmpty() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
            throw new IllegalArgumentException("fields: '" + path + "' is not a dotted path like temperature or "
                    + "env.humidity");
        }
        return new FieldPath(path, List.of(path.split("\\.")));
    }

    /** The finite number at this path in {@code root}, or null (missing, not a number, not finite). */
    Double valueIn(JsonNode root) {
        JsonNode node = root;
        for (String segment : segments) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(segment);
        }
        if (node == null || !node.isNumber()) {
            return null;
        }
        double value = node.doubleValue();
        return Double.isFinite(value) ? value : null;
    }
}
