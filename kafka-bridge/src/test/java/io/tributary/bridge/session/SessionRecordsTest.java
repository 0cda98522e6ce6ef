package io.tributary.bridge.session;

import static io.tributary.bridge.session.SessionStates.assertSameState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.delivery.PartitionId;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.bridge.session.SessionState.StoredWill;
import io.tributary.schemas.Records;
import io.tributary.schemas.session.SessionRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SessionState to the Avro records of the sessions topic and back, through their encoded bytes. */
class SessionRecordsTest {

    private static final Instant AT = Instant.ofEpochMilli(1_764_000_000_123L);

    private static SessionState throughKafka(long epoch, SessionState state) {
        SessionRecord decoded = Records.decodeSession(Records.encode(SessionRecords.state(epoch, "node-b", AT, state)));
        assertThat(decoded.getEpoch()).isEqualTo(epoch);
        assertThat(decoded.getClientId()).isEqualTo(state.clientId());
        assertThat(decoded.getNodeId()).isEqualTo("node-b");
        assertThat(decoded.getConnectedAt()).isEqualTo(AT);
        assertThat(decoded.getCleanStart()).isFalse();
        return SessionRecords.fromRecord(decoded.getClientId(), decoded.getNodeId(), decoded.getState());
    }

    @Test
    void everyFieldSurvives() {
        SessionState state = SessionStates.full("dev-1", "node-b", AT.toEpochMilli() + 5);
        SessionState back = throughKafka(42, state);
        assertSameState(back, state);
        assertThat(back.will().message().properties().userProperties()).as("order and repeated names kept")
                .containsExactly(Map.entry("b", "2"), Map.entry("a", "1"), Map.entry("b", "0"));
        assertThat(back.will().message().properties().correlationData()).containsExactly(0, 1, 0x80, 0xFF);
        assertThat(back.will().message().payload()).containsExactly(0xFF, 0, 42);
        assertThat(back.will().delaySeconds()).isEqualTo(30);
        assertThat(back.awaitingRelease()).containsExactlyInAnyOrder(1, 3, 65535);
        assertThat(back.positions()).containsEntry(new PartitionId("other", 1), 0L).hasSize(3);
        assertThat(back.inflight().get(0).subscriptionIds()).containsExactly(7, 9);
        assertThat(back.inflight().get(0).released()).isTrue();
    }

    @Test
    void nullsStayNull() {
        SessionState bare = SessionStates.bare("dev-2", "node-b", SessionState.NEVER, null);
        SessionState back = throughKafka(1, bare);
        assertSameState(back, bare);
        assertThat(back.endedAtMs()).isNull();
        assertThat(back.will()).isNull();
        assertThat(back.expirySeconds()).isEqualTo(SessionState.NEVER);

        InboundPublish plainWill = new InboundPublish("w", new byte[0], 0, false, "dev-2", null, null, null);
        SessionState withPlainWill = new SessionState("dev-2", "node-b", 0, 7L, List.of(), Map.of(), List.of(),
                Set.of(), new StoredWill(plainWill, 0));
        SessionState back2 = throughKafka(2, withPlainWill);
        assertSameState(back2, withPlainWill);
        InboundPublish will = back2.will().message();
        assertThat(will.username()).isNull();
        assertThat(will.certSubject()).isNull();
        assertThat(will.payload()).isEmpty();
        assertThat(will.properties()).isSameAs(MessageProperties.NONE);
    }

    @Test
    void eachWillPropertyAlone() {
        List<MessageProperties> variants = List.of(
                new MessageProperties(0, null, null, null, null, List.of()),
                new MessageProperties(null, "text/plain", null, null, null, List.of()),
                new MessageProperties(null, null, 0L, null, null, List.of()),
                new MessageProperties(null, null, null, "r", null, List.of()),
                new MessageProperties(null, null, null, null, new byte[0], List.of()),
                new MessageProperties(null, null, null, null, null, List.of(Map.entry("", ""))));
        for (MessageProperties properties : variants) {
            InboundPublish will = new InboundPublish("w", new byte[] {1}, 1, false, "dev-3", "u", null, properties);
            SessionState state = new SessionState("dev-3", "node-b", 10, null, List.of(), Map.of(), List.of(),
                    Set.of(), new StoredWill(will, 5));
            assertSameState(throughKafka(3, state), state);
        }
    }

    @Test
    void theWriterIsTheNodeOfTheRecord() {
        SessionState writtenElsewhere = SessionStates.bare("dev-4", "node-x", 10, null);
        assertThat(throughKafka(4, writtenElsewhere).nodeId()).isEqualTo("node-b");
    }

    @Test
    void aClaimCarriesTheKnownStateUnlessItIsACleanStart() {
        SessionState known = SessionStates.full("dev-5", "node-a", 99L);
        SessionRecord claim = Records.decodeSession(Records.encode(
                SessionRecords.claim("dev-5", "node-b", AT, false, known)));
        assertThat(claim.getEpoch()).isNull();
        assertThat(claim.getCleanStart()).isFalse();
        assertThat(claim.getNodeId()).isEqualTo("node-b");
        assertSameState(SessionRecords.fromRecord("dev-5", "node-a", claim.getState()), known);

        SessionRecord clean = Records.decodeSession(Records.encode(
                SessionRecords.claim("dev-5", "node-b", AT, true, known)));
        assertThat(clean.getCleanStart()).isTrue();
        assertThat(clean.getState()).isNull();

        SessionRecord nothingKnown = SessionRecords.claim("dev-5", "node-b", AT, false, null);
        assertThat(nothingKnown.getState()).isNull();
    }

    @Test
    void theComparisonOfTestsSeesPayloads() {
        SessionState a = SessionStates.full("dev-6", "node-b", null);
        SessionState b = SessionStates.full("dev-6", "node-b", null);
        b.will().message().payload()[0] = 1;
        assertThatThrownBy(() -> assertSameState(a, b)).isInstanceOf(AssertionError.class);
    }
}
