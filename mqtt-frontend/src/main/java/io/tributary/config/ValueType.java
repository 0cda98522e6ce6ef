package io.tributary.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.math.BigInteger;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.LongPredicate;
import java.util.regex.Pattern;

/**
 * How the value of one setting is read and checked. Values come typed from YAML ({@link #fromYaml}) or as text
 * from environment variables and flags ({@link #fromText}); both return the normalized node that goes into the
 * merged tree, or throw {@link Invalid} with a problem description (without the key or source; the caller adds them).
 */
abstract class ValueType {

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

    /** A problem with a value, e.g. {@code 70000 is out of range 0..65535}. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String problem) {
            super(problem, null, false, false);
        }
    }

    abstract JsonNode fromYaml(JsonNode node) throws Invalid;

    abstract JsonNode fromText(String text) throws Invalid;

    /** An integer in {@code min..max}. */
    static ValueType integer(long min, long max) {
        String range = max == Long.MAX_VALUE ? "(must be >= " + min + ")" : min + ".." + max;
        return new IntegerType(v -> v >= min && v <= max, range);
    }

    /** An integer accepted by {@code allowed}; {@code expectation} completes "... is out of range ". */
    static ValueType integer(LongPredicate allowed, String expectation) {
        return new IntegerType(allowed, expectation);
    }

    static ValueType bool() {
        return new BooleanType();
    }

    /** A non-empty string; {@code problem} returns what is wrong with a value, or null. */
    static ValueType string(boolean nullable, Function<String, String> problem) {
        return new StringType(nullable, problem);
    }

    static ValueType string(boolean nullable) {
        return new StringType(nullable, s -> null);
    }

    static ValueType path(boolean nullable) {
        return new StringType(nullable, s -> {
            try {
                Path.of(s);
                return null;
            } catch (InvalidPathException e) {
                return "'" + s + "' is not a valid path: " + e.getReason();
            }
        });
    }

    /** A positive duration, stored in the tree in the short form of {@link Durations#format}. */
    static ValueType duration() {
        return new DurationType();
    }

    /** A short description of a YAML value for messages: {@code string "abc"}, {@code 1.5}, {@code a list}. */
    static String describe(JsonNode node) {
        if (node == null || node.isNull()) {
            return "null";
        }
        if (node.isTextual()) {
            return "string \"" + node.textValue() + "\"";
        }
        if (node.isObject()) {
            return "a section";
        }
        if (node.isArray()) {
            return "a list";
        }
        return node.asText();
    }

    private static final class IntegerType extends ValueType {
        private final LongPredicate allowed;
        private final String expectation;

        IntegerType(LongPredicate allowed, String expectation) {
            this.allowed = allowed;
            this.expectation = expectation;
        }

        @Override
        JsonNode fromYaml(JsonNode node) throws Invalid {
            if (node.isNull()) {
                throw new Invalid("needs a value (an integer " + expectation + ")");
            }
            if (!node.isIntegralNumber()) {
                throw new Invalid("expected an integer, got " + describe(node));
            }
            return check(node.bigIntegerValue());
        }

        @Override
        JsonNode fromText(String text) throws Invalid {
            String t = text.trim();
            if (!INTEGER.matcher(t).matches()) {
                throw new Invalid("'" + text + "' is not an integer");
            }
            return check(new BigInteger(t));
        }

        private JsonNode check(BigInteger value) throws Invalid {
            if (value.bitLength() >= 64 || !allowed.test(value.longValue())) {
                throw new Invalid(value + " is out of range " + expectation);
            }
            return LongNode.valueOf(value.longValue());
        }
    }

    private static final class BooleanType extends ValueType {
        @Override
        JsonNode fromYaml(JsonNode node) throws Invalid {
            if (!node.isBoolean()) {
                throw new Invalid("expected true or false, got " + describe(node));
            }
            return node;
        }

        @Override
        JsonNode fromText(String text) throws Invalid {
            String t = text.trim();
            if (t.equalsIgnoreCase("true")) {
                return BooleanNode.TRUE;
            }
            if (t.equalsIgnoreCase("false")) {
                return BooleanNode.FALSE;
            }
            throw new Invalid("'" + text + "' is not a boolean (true or false)");
        }
    }

    private static class StringType extends ValueType {
        private final boolean nullable;
        private final Function<String, String> problem;

        StringType(boolean nullable, Function<String, String> problem) {
            this.nullable = nullable;
            this.problem = problem;
        }

        @Override
        JsonNode fromYaml(JsonNode node) throws Invalid {
            if (node.isNull()) {
                if (nullable) {
                    return NullNode.instance;
                }
                throw new Invalid("needs a value");
            }
            // a number is fine where a string is expected (node-id: 42); a boolean or a section is not
            if (!node.isTextual() && !node.isNumber()) {
                throw new Invalid("expected a string, got " + describe(node));
            }
            return fromText(node.asText());
        }

        @Override
        JsonNode fromText(String text) throws Invalid {
            if (text.isEmpty()) {
                if (nullable) {
                    return NullNode.instance; // an empty environment variable or --set key= unsets it
                }
                throw new Invalid("must not be empty");
            }
            String p = problem.apply(text);
            if (p != null) {
                throw new Invalid(p);
            }
            return TextNode.valueOf(text);
        }
    }

    private static final class DurationType extends StringType {
        DurationType() {
            super(false, s -> null);
        }

        @Override
        JsonNode fromYaml(JsonNode node) throws Invalid {
            if (node.isNumber()) {
                throw new Invalid(node.asText() + " has no unit (write e.g. 500ms, 10s, 2m, 1h or PT10S)");
            }
            return super.fromYaml(node);
        }

        @Override
        JsonNode fromText(String text) throws Invalid {
            Duration d;
            try {
                d = Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw new Invalid(e.getMessage());
            }
            if (d.isNegative() || d.isZero()) {
                throw new Invalid("'" + text + "' must be longer than zero");
            }
            return TextNode.valueOf(Durations.format(d));
        }
    }
}
