package io.tributary.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Encodes and decodes one of our Avro record types in Avro's single-object encoding (the two bytes C3 01, the
 * writer schema's 64-bit fingerprint, then Avro binary), so that every value says which schema wrote it.
 *
 * <p>Every version of the schema that was ever written is kept under {@code io/tributary/schemas/history}
 * ({@code Name.vN.avsc}, the newest equal to the current schema): the decoder knows them all, so a record an older
 * Tributary wrote still decodes into the current class, missing fields taking their defaults.
 */
public final class AvroCodec<T extends SpecificRecord> {

    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;
    private static final int HEADER_LENGTH = 10;

    private final Class<T> type;
    private final List<Schema> history;
    private final Set<Long> fingerprints;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private AvroCodec(Class<T> type, Schema schema, List<Schema> history) {
        this.type = type;
        this.history = history;
        trust(schema);
        this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
        this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
        Set<Long> prints = new HashSet<>();
        prints.add(SchemaNormalization.parsingFingerprint64(schema));
        for (Schema old : history) {
            decoder.addSchema(old);
            prints.add(SchemaNormalization.parsingFingerprint64(old));
        }
        this.fingerprints = Set.copyOf(prints);
    }

    /**
     * The codec of a generated class, knowing the {@code versions} schema versions kept in
     * {@code history/<schema name>.v1.avsc ... vN.avsc}.
     */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, int versions) {
        Schema schema = SpecificData.get().getSchema(type);
        return new AvroCodec<>(type, schema, history(schema.getName(), versions));
    }

    public Class<T> type() {
        return type;
    }

    /** Every version of the schema that was ever written, oldest first. */
    public List<Schema> history() {
        return history;
    }

    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes a record written with this or any earlier version of the schema; IllegalArgumentException if not. */
    public T decode(byte[] value) {
        try {
            return decoder.decode(value);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code value} was written with a version of this schema, judged from its header alone. */
    public boolean accepts(byte[] value) {
        return value != null && value.length >= HEADER_LENGTH && value[0] == MARKER_0 && value[1] == MARKER_1
                && fingerprints.contains(ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
    }

    // Avro 1.12 instantiates only classes it trusts: ours, generated from our own schemas
    private static void trust(Schema schema) {
        ClassSecurityValidator.Builder trusted = ClassSecurityValidator.builder();
        collect(schema, trusted, new HashSet<>());
        synchronized (AvroCodec.class) {
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
                    trusted.build()));
        }
    }

    private static void collect(Schema schema, ClassSecurityValidator.Builder trusted, Set<String> seen) {
        switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> {
                if (!seen.add(schema.getFullName())) {
                    return;
                }
                try {
                    trusted.add(Class.forName(schema.getFullName(), false, AvroCodec.class.getClassLoader()));
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("no generated class for " + schema.getFullName(), e);
                }
                if (schema.getType() == Schema.Type.RECORD) {
                    schema.getFields().forEach(f -> collect(f.schema(), trusted, seen));
                }
            }
            case ARRAY -> collect(schema.getElementType(), trusted, seen);
            case MAP -> collect(schema.getValueType(), trusted, seen);
            case UNION -> schema.getTypes().forEach(s -> collect(s, trusted, seen));
            default -> { }
        }
    }

    private static List<Schema> history(String name, int versions) {
        List<Schema> schemas = new ArrayList<>();
        for (int v = 1; v <= versions; v++) {
            String resource = "history/" + name + ".v" + v + ".avsc";
            try (InputStream in = AvroCodec.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing schema resource " + resource);
                }
                schemas.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return List.copyOf(schemas);
    }
}
