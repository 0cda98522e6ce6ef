package io.tributary.bridge.mapping;

import java.util.Objects;

/**
 * A validated MQTT topic filter ({@code a/+/c}, {@code a/#}, {@code #}) that matches topic names
 * as MQTT 3.1.1 section 4.7 and MQTT 5.0 section 4.7 define.
 */
public final class TopicFilter {

    private final String filter;
    private final String[] levels;

    private TopicFilter(String filter) {
        this.filter = filter;
        this.levels = filter.split("/", -1);
    }

    /** Parses a filter, or throws {@link IllegalArgumentException} saying what is wrong with it. */
    public static TopicFilter parse(String filter) {
        String problem = problemWith(filter);
        if (problem != null) {
            throw new IllegalArgumentException("invalid topic filter '" + filter + "': " + problem);
        }
        return new TopicFilter(filter);
    }

    /** True if {@code filter} is a valid topic filter. */
    public static boolean isValid(String filter) {
        return problemWith(filter) == null;
    }

    /** What makes {@code filter} invalid, or null if it is valid. */
    public static String problemWith(String filter) {
        if (filter == null || filter.isEmpty()) {
            return "it is empty"; // MQTT-4.7.3-1
        }
        int length = filter.length();
        for (int i = 0; i < length; i++) {
            char c = filter.charAt(i);
            if (c == '\0') {
                return "it contains U+0000"; // MQTT-4.7.3-2
            }
            if (c == '#') {
                // MQTT-4.7.1-2: '#' on its own level, and the last character
                if (i != length - 1) {
                    return "'#' must be the last character";
                }
                if (i > 0 && filter.charAt(i - 1) != '/') {
                    return "'#' must occupy a whole level";
                }
            } else if (c == '+') {
                // MQTT-4.7.1-3: '+' occupies a whole level
                if ((i > 0 && filter.charAt(i - 1) != '/') || (i < length - 1 && filter.charAt(i + 1) != '/')) {
                    return "'+' must occupy a whole level";
                }
            }
        }
        return null;
    }

    /** True if {@code topic} (a topic name, without wildcards) matches this filter. */
    public boolean matches(String topic) {
        Objects.requireNonNull(topic, "topic");
        // MQTT-4.7.2-1: a filter starting with a wildcard does not match topics starting with '$'
        if (!topic.isEmpty() && topic.charAt(0) == '$') {
            String first = levels[0];
            if (first.equals("#") || first.equals("+")) {
                return false;
            }
        }
        int start = 0;
        int topicLength = topic.length();
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.equals("#")) {
                return true; // matches the parent level too: "a/#" matches "a"
            }
            if (start > topicLength) {
                // the topic has fewer levels than the filter; only a trailing "#" could still match
                return false;
            }
            int end = topic.indexOf('/', start);
            if (end < 0) {
                end = topicLength;
            }
            if (!level.equals("+") && !topic.regionMatches(start, level, 0, level.length())
                    || !level.equals("+") && level.length() != end - start) {
                return false;
            }
            start = end + 1;
        }
        return start > topicLength; // every topic level consumed
    }

    /** True if the filter has no wildcard, i.e. it names exactly one topic. */
    public boolean isLiteral() {
        return filter.indexOf('+') < 0 && filter.indexOf('#') < 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicFilter other && other.filter.equals(filter);
    }

    @Override
    public int hashCode() {
        return filter.hashCode();
    }

    @Override
    public String toString() {
        return filter;
    }
}
