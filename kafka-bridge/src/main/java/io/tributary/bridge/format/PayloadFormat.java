package io.tributary.bridge.format;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * How the records of a mapping rule carry the MQTT payload.
 *
 * @param kind        raw bytes, a JSON payload converted to Avro, or the Avro envelope of payload and metadata
 * @param subject     {@link Kind#AVRO}: the registry subject whose latest version is the schema; or null
 * @param schemaFile  {@link Kind#AVRO}: an {@code .avsc} file, registered under {@code <kafka topic>-value}; or
 *                    null (exactly one of subject and schema file for AVRO, neither otherwise)
 */
public record PayloadFormat(Kind kind, String subject, Path schemaFile) {

    /** The payload bytes exactly as published. */
    public static final PayloadFormat RAW = new PayloadFormat(Kind.RAW, null, null);
    /** The {@code MqttEnvelope} Avro record (payload and MQTT metadata). */
    public static final PayloadFormat ENVELOPE = new PayloadFormat(Kind.ENVELOPE, null, null);

    public enum Kind {
        RAW, AVRO, ENVELOPE;

        /** {@code raw}, {@code avro} or {@code envelope}. */
        public static Kind parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + text + "' is not a format (raw, avro or envelope)");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public PayloadFormat {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.AVRO && (subject == null) == (schemaFile == null)) {
            throw new IllegalArgumentException("format avro needs a schema: a registry subject (schema) or an"
                    + " .avsc file (schema-file), one of them");
        }
        if (kind != Kind.AVRO && (subject != null || schemaFile != null)) {
            throw new IllegalArgumentException("a schema goes with format avro only, not " + kind);
        }
    }

    public static PayloadFormat avroSubject(String subject) {
        return new PayloadFormat(Kind.AVRO, subject, null);
    }

    public static PayloadFormat avroFile(Path schemaFile) {
        return new PayloadFormat(Kind.AVRO, null, schemaFile);
    }
}
