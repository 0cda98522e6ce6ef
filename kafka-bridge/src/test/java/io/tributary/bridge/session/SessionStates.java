package io.tributary.bridge.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.delivery.PartitionId;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.bridge.session.SessionState.StoredInflight;
import io.tributary.bridge.session.SessionState.StoredSubscription;
import io.tributary.bridge.session.SessionState.StoredWill;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Session states for tests, and an equality that compares payloads by content (records compare arrays by identity). */
final class SessionStates {

    private SessionStates() {
    }

    /** A state with every field set, the will with every MQTT 5 property. */
    static SessionState full(String clientId, String nodeId, Long endedAtMs) {
        MessageProperties properties = new MessageProperties(1, "application/json", 120L, "reply/" + clientId,
                new byte[] {0, 1, (byte) 0x80, (byte) 0xFF},
                List.of(Map.entry("b", "2"), Map.entry("a", "1"), Map.entry("b", "0")));
        InboundPublish will = new InboundPublish("will/" + clientId, new byte[] {(byte) 0xFF, 0, 42}, 2, true,
                clientId, "alice", "CN=device", properties);
        return new SessionState(clientId, nodeId, 3600, endedAtMs,
                List.of(new StoredSubscription("a/+/c", 2, true, true, 2, 7),
                        new StoredSubscription("$share/g/d/#", 1, false, false, 0, 0)),
                Map.of(new PartitionId("mqtt.messages", 0), 17L, new PartitionId("mqtt.messages", 3), 4L,
                        new PartitionId("other", 1), 0L),
                List.of(new StoredInflight(new PartitionId("mqtt.messages", 3), 2L, 11, 2, false, List.of(7, 9), true),
                        new StoredInflight(new PartitionId("mqtt.messages", 0), 16L, 12, 1, true, List.of(), false)),
                Set.of(3, 65535, 1),
                new StoredWill(will, 30));
    }

    /** The smallest state: nothing but the client, its node and an expiry. */
    static SessionState bare(String clientId, String nodeId, long expirySeconds, Long endedAtMs) {
        return new SessionState(clientId, nodeId, expirySeconds, endedAtMs, List.of(), Map.of(), List.of(),
                Set.of(), null);
    }

    static void assertSameState(SessionState actual, SessionState expected) {
        assertThat(actual).isNotNull();
        assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
        // the parts records do not compare by content, once more explicitly
        if (expected.will() == null) {
            assertThat(actual.will()).isNull();
        } else {
            InboundPublish a = actual.will().message();
            InboundPublish e = expected.will().message();
            assertThat(a.payload()).containsExactly(e.payload());
            if (e.properties().correlationData() == null) {
                assertThat(a.properties().correlationData()).isNull();
            } else {
                assertThat(a.properties().correlationData()).containsExactly(e.properties().correlationData());
            }
            assertThat(a.properties().userProperties()).containsExactlyElementsOf(e.properties().userProperties());
        }
    }
}
