package io.tributary.schemas;

import io.tributary.schemas.session.SessionRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Encoding of the records Tributary owns, in Avro's single-object encoding (a two-byte marker, the schema's
 * 64-bit fingerprint, then Avro binary), so that every value says which schema wrote it.
 */
public final class Records {

    static {
        // Avro 1.12 only instantiates classes it trusts: ours are generated from our own schemas
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
                ClassSecurityValidator.builder().add(SessionRecord.class).build()));
    }

    private Records() {
    }

    public static byte[] encode(SessionRecord record) {
        try {
            ByteBuffer buffer = record.toByteBuffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes a value of the sessions topic; throws IllegalArgumentException if it is not a SessionRecord. */
    public static SessionRecord decodeSession(byte[] value) {
        try {
            return SessionRecord.fromByteBuffer(ByteBuffer.wrap(value));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a SessionRecord: " + e.getMessage(), e);
        }
    }
}
