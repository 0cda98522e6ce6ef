package io.tributary.schemas;

import io.tributary.schemas.session.NodeHeartbeat;
import io.tributary.schemas.session.SessionRecord;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The records of the sessions topic, in Avro's single-object encoding ({@link AvroCodec}): session records and
 * node heartbeats share the topic and are told apart by their schema fingerprint.
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

    public static final AvroCodec<SessionRecord> SESSION = AvroCodec.of(SessionRecord.class, 2);
    public static final AvroCodec<NodeHeartbeat> NODE_HEARTBEAT = AvroCodec.of(NodeHeartbeat.class, 1);

    static final List<Schema> SESSION_RECORD_HISTORY = SESSION.history();
    static final List<Schema> NODE_HEARTBEAT_HISTORY = NODE_HEARTBEAT.history();

    private Records() {
    }

    public static byte[] encode(SessionRecord record) {
        return SESSION.encode(record);
    }

    public static byte[] encode(NodeHeartbeat heartbeat) {
        return NODE_HEARTBEAT.encode(heartbeat);
    }

    /** Which of our records {@code value} is, from its schema fingerprint, without decoding it. */
    public static Kind kindOf(byte[] value) {
        if (SESSION.accepts(value)) {
            return Kind.SESSION;
        }
        return NODE_HEARTBEAT.accepts(value) ? Kind.NODE_HEARTBEAT : Kind.UNKNOWN;
    }

    /**
     * Decodes a session record written with this or any earlier version of its schema; throws
     * IllegalArgumentException if it is not a SessionRecord.
     */
    public static SessionRecord decodeSession(byte[] value) {
        return SESSION.decode(value);
    }

    /** Decodes a node heartbeat; throws IllegalArgumentException if it is not one. */
    public static NodeHeartbeat decodeHeartbeat(byte[] value) {
        return NODE_HEARTBEAT.decode(value);
    }
}
