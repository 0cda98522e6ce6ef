package io.tributary.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.schemas.session.SessionRecord;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Session records encode with Avro's single-object encoding (marker, fingerprint, binary) and decode again. */
class SessionRecordTest {

    @Test
    void roundTripsThroughSingleObjectEncoding() {
        SessionRecord record = SessionRecord.newBuilder()
                .setClientId("device-1")
                .setNodeId("node-a")
                .setConnectedAt(Instant.ofEpochMilli(1_764_000_000_123L))
                .build();
        byte[] encoded = Records.encode(record);
        assertThat(encoded[0]).as("single-object encoding marker").isEqualTo((byte) 0xC3);
        assertThat(encoded[1]).isEqualTo((byte) 0x01);
        assertThat(Records.decodeSession(encoded)).isEqualTo(record);
    }

    @Test
    void somethingElseIsRefusedClearly() {
        assertThatThrownBy(() -> Records.decodeSession(new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a SessionRecord");
    }
}
