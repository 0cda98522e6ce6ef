package io.tributary.schemas;

import io.tributary.schemas.session.InflightRecord;
import io.tributary.schemas.session.NodeHeartbeat;
import io.tributary.schemas.session.PositionRecord;
import io.tributary.schemas.session.SessionRecord;
import io.tributary.schemas.session.SessionStateRecord;
import io.tributary.schemas.session.SubscriptionRecord;
import io.tributary.schemas.session.UserPropertyRecord;
import io.tributary.schemas.session.WillRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Encoding of the records Tributary owns, in Avro's single-object encoding (a two-byte marker, the schema's
 * 64-bit fingerprint, then Avro binary), so that every value says which schema wrote it.
 *
 * <p>Every version of a schema that was ever written is kept under {@code io/tributary/schemas/history}
 * ({@code Name.vN.avsc}, the newest equal to the current schema): the decoders know them all, so a record an older
 * Tributary wrote still decodes (into the current classes, missing fields taking their defaults).
 */
public final class Records {

    /** What a value of the sessions topic is. */
    public enum Kind {
        /** A {@link SessionRecord}: a claim or a session state. */
        SESSION,
        /** A {@link NodeHeartbeat}. */
        NODE_HEARTBEAT,
        /** Not a record of ours (or of a schema version this code does not know). */
        UNKNOWN
    }

    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;
    private static final int HEADER_LENGTH = 10;

    static {
        // Avro 1.12 only instantiates classes it trusts: ours are generated from our own schemas
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
                ClassSecurityValidator.builder()
                        .add(SessionRecord.class).add(SessionStateRecord.class).add(SubscriptionRecord.class)
                        .add(PositionRecord.class).add(InflightRecord.class).add(WillRecord.class)
                        .add(UserPropertyRecord.class).add(NodeHeartbeat.class)
                        .build()));
    }

    static final List<Schema> SESSION_RECORD_HISTORY = history("SessionRecord", 2);
    static final List<Schema> NODE_HEARTBEAT_HISTORY = history("NodeHeartbeat", 1);

    private static final BinaryMessageDecoder<SessionRecord> SESSION_DECODER = decoder(
            SessionRecord.createDecoder(null), SESSION_RECORD_HISTORY);
    private static final BinaryMessageDecoder<NodeHeartbeat> HEARTBEAT_DECODER = decoder(
            NodeHeartbeat.createDecoder(null), NODE_HEARTBEAT_HISTORY);

    private static final Map<Long, Kind> KINDS = kinds();

    private Records() {
    }

    public static byte[] encode(SessionRecord record) {
        try {
            return bytes(record.toByteBuffer());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] encode(NodeHeartbeat heartbeat) {
        try {
            return bytes(heartbeat.toByteBuffer());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Which of our records {@code value} is, from its schema fingerprint, without decoding it. */
    public static Kind kindOf(byte[] value) {
        if (value == null || value.length < HEADER_LENGTH || value[0] != MARKER_0 || value[1] != MARKER_1) {
            return Kind.UNKNOWN;
        }
        return KINDS.getOrDefault(ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(),
                Kind.UNKNOWN);
    }

    /**
     * Decodes a session record written with this or any earlier version of its schema; throws
     * IllegalArgumentException if it is not a SessionRecord.
     */
    public static SessionRecord decodeSession(byte[] value) {
        try {
            return SESSION_DECODER.decode(value);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a SessionRecord: " + e.getMessage(), e);
        }
    }

    /** Decodes a node heartbeat; throws IllegalArgumentException if it is not one. */
    public static NodeHeartbeat decodeHeartbeat(byte[] value) {
        try {
            return HEARTBEAT_DECODER.decode(value);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a NodeHeartbeat: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static <T> BinaryMessageDecoder<T> decoder(BinaryMessageDecoder<T> decoder, List<Schema> history) {
        history.forEach(decoder::addSchema);
        return decoder;
    }

    private static Map<Long, Kind> kinds() {
        Map<Long, Kind> kinds = SESSION_RECORD_HISTORY.stream().collect(Collectors.toMap(
                SchemaNormalization::parsingFingerprint64, s -> Kind.SESSION));
        kinds.putAll(NODE_HEARTBEAT_HISTORY.stream().collect(Collectors.toMap(
                SchemaNormalization::parsingFingerprint64, s -> Kind.NODE_HEARTBEAT)));
        kinds.put(SchemaNormalization.parsingFingerprint64(SessionRecord.getClassSchema()), Kind.SESSION);
        kinds.put(SchemaNormalization.parsingFingerprint64(NodeHeartbeat.getClassSchema()), Kind.NODE_HEARTBEAT);
        return Map.copyOf(kinds);
    }

    private static List<Schema> history(String name, int versions) {
        List<Schema> schemas = new ArrayList<>();
        for (int v = 1; v <= versions; v++) {
            String resource = "history/" + name + ".v" + v + ".avsc";
            try (InputStream in = Records.class.getResourceAsStream(resource)) {
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
