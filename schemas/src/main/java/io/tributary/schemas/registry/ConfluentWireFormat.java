package io.tributary.schemas.registry;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's wire format of a Kafka key or value: the magic byte {@code 0x00}, the registry id of the writer schema
 * as a 4-byte big-endian int, then the datum in Avro binary encoding.
 */
public final class ConfluentWireFormat {

    public static final byte MAGIC_BYTE = 0x00;
    /** Magic byte and schema id. */
    public static final int HEADER_LENGTH = 5;

    private ConfluentWireFormat() {
    }

    /** Whether {@code value} starts like a record in this format (it may still name an unknown id). */
    public static boolean isConfluentFormat(byte[] value) {
        return value != null && value.length >= HEADER_LENGTH && value[0] == MAGIC_BYTE;
    }

    /** The schema id in the header of {@code value}; {@link SerializationException} if it is not in this format. */
    public static int schemaId(byte[] value) {
        return schemaId(value, null);
    }

    static int schemaId(byte[] value, String topic) {
        String where = topic == null ? "" : " (topic " + topic + ")";
        if (value.length < HEADER_LENGTH) {
            throw new SerializationException("not in the Confluent wire format" + where + ": " + value.length
                    + " bytes, fewer than the 5 of magic byte and schema id");
        }
        if (value[0] != MAGIC_BYTE) {
            throw new SerializationException(String.format("unknown magic byte 0x%02X%s: not in the Confluent wire "
                    + "format (0x00, 4-byte schema id, Avro binary)", value[0] & 0xFF, where));
        }
        return ByteBuffer.wrap(value, 1, 4).getInt();
    }

    /** The 5-byte header for a schema id. */
    public static byte[] header(int schemaId) {
        return ByteBuffer.allocate(HEADER_LENGTH).put(MAGIC_BYTE).putInt(schemaId).array();
    }
}
