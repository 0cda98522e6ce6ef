package io.tributary.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.schemas.session.InflightRecord;
import io.tributary.schemas.session.NodeHeartbeat;
import io.tributary.schemas.session.PositionRecord;
import io.tributary.schemas.session.SessionRecord;
import io.tributary.schemas.session.SessionStateRecord;
import io.tributary.schemas.session.SubscriptionRecord;
import io.tributary.schemas.session.UserPropertyRecord;
import io.tributary.schemas.session.WillRecord;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** Session records encode with Avro's single-object encoding (marker, fingerprint, binary) and decode again. */
class SessionRecordTest {

    /** SessionRecord as the first Tributary versions wrote it: a bare claim. */
    private static final String SESSION_RECORD_V1 = """
            {"type": "record", "name": "SessionRecord", "namespace": "io.tributary.schemas.session",
             "fields": [
               {"name": "clientId", "type": "string"},
               {"name": "nodeId", "type": "string"},
               {"name": "connectedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}}
             ]}""";

    private static final Instant AT = Instant.ofEpochMilli(1_764_000_000_123L);

    @Test
    void roundTripsThroughSingleObjectEncoding() {
        SessionRecord record = SessionRecord.newBuilder()
                .setClientId("device-1")
                .setNodeId("node-a")
                .setConnectedAt(AT)
                .build();
        byte[] encoded = Records.encode(record);
        assertThat(encoded[0]).as("single-object encoding marker").isEqualTo((byte) 0xC3);
        assertThat(encoded[1]).isEqualTo((byte) 0x01);
        assertThat(Records.decodeSession(encoded)).isEqualTo(record);
        assertThat(record.getEpoch()).as("a claim by default").isNull();
        assertThat(record.getCleanStart()).isFalse();
        assertThat(record.getState()).isNull();
    }

    @Test
    void aStateRecordWithEveryFieldRoundTrips() {
        SessionRecord record = SessionRecord.newBuilder()
                .setClientId("device-1").setNodeId("node-a").setConnectedAt(AT)
                .setEpoch(42L)
                .setState(SessionStateRecord.newBuilder()
                        .setExpirySeconds(0xFFFF_FFFFL)
                        .setEndedAt(AT.plusSeconds(5))
                        .setSubscriptions(List.of(new SubscriptionRecord("a/+", 2, true, true, 1, 7),
                                new SubscriptionRecord("$share/g/b/#", 0, false, false, 0, 0)))
                        .setPositions(List.of(new PositionRecord("mqtt.messages", 3, 1000L)))
                        .setInflight(List.of(new InflightRecord("mqtt.messages", 3, 998L, 17, 2, true,
                                List.of(7, 9), true)))
                        .setAwaitingRelease(List.of(4, 5))
                        .setWill(WillRecord.newBuilder()
                                .setTopic("will/t").setPayload(ByteBuffer.wrap(new byte[] {0, 1, (byte) 0xFF}))
                                .setQos(1).setRetain(true).setClientId("device-1")
                                .setUsername("alice").setCertSubject(null).setDelaySeconds(30)
                                .setPayloadFormat(1).setContentType("text/plain").setMessageExpirySeconds(60L)
                                .setResponseTopic("re/1").setCorrelationData(ByteBuffer.wrap(new byte[] {9}))
                                .setUserProperties(List.of(new UserPropertyRecord("k", "2"),
                                        new UserPropertyRecord("k", "1")))
                                .build())
                        .build())
                .build();
        SessionRecord decoded = Records.decodeSession(Records.encode(record));
        assertThat(decoded).isEqualTo(record);
        assertThat(decoded.getState().getWill().getUserProperties()).extracting(UserPropertyRecord::getValue)
                .containsExactly("2", "1");
        assertThat(Records.kindOf(Records.encode(record))).isEqualTo(Records.Kind.SESSION);
    }

    @Test
    void aClaimWrittenWithTheFirstSchemaStillDecodes() throws Exception {
        Schema v1 = new Schema.Parser().parse(SESSION_RECORD_V1);
        GenericRecord old = new GenericData.Record(v1);
        old.put("clientId", "device-1");
        old.put("nodeId", "node-a");
        old.put("connectedAt", AT.toEpochMilli());
        byte[] encoded = bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old));

        assertThat(Records.kindOf(encoded)).isEqualTo(Records.Kind.SESSION);
        SessionRecord decoded = Records.decodeSession(encoded);
        assertThat(decoded.getClientId()).isEqualTo("device-1");
        assertThat(decoded.getNodeId()).isEqualTo("node-a");
        assertThat(decoded.getConnectedAt()).isEqualTo(AT);
        assertThat(decoded.getEpoch()).isNull();
        assertThat(decoded.getCleanStart()).isFalse();
        assertThat(decoded.getState()).isNull();
    }

    @Test
    void heartbeatsRoundTripAndAreToldApartFromSessions() {
        NodeHeartbeat heartbeat = new NodeHeartbeat("node-a", AT);
        byte[] encoded = Records.encode(heartbeat);
        assertThat(Records.kindOf(encoded)).isEqualTo(Records.Kind.NODE_HEARTBEAT);
        assertThat(Records.decodeHeartbeat(encoded)).isEqualTo(heartbeat);
        assertThatThrownBy(() -> Records.decodeSession(encoded)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a SessionRecord");
        assertThatThrownBy(() -> Records.decodeHeartbeat(Records.encode(SessionRecord.newBuilder()
                .setClientId("c").setNodeId("n").setConnectedAt(AT).build())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a NodeHeartbeat");
    }

    @Test
    void somethingElseIsRefusedClearly() {
        assertThatThrownBy(() -> Records.decodeSession(new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a SessionRecord");
        assertThat(Records.kindOf(new byte[] {1, 2, 3})).isEqualTo(Records.Kind.UNKNOWN);
        assertThat(Records.kindOf(null)).isEqualTo(Records.Kind.UNKNOWN);
        assertThat(Records.kindOf(new byte[] {(byte) 0xC3, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0}))
                .as("our marker, unknown fingerprint").isEqualTo(Records.Kind.UNKNOWN);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
