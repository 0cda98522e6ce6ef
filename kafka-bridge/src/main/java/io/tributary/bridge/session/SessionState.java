package io.tributary.bridge.session;

import io.tributary.bridge.delivery.PartitionId;
import io.tributary.bridge.publish.InboundPublish;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The state of a persistent MQTT session (Session Expiry Interval > 0, or Clean Session 0 in 3.x) as kept in the
 * compacted sessions topic, so that the session resumes on any node (DESIGN.md, sessions). Plain Java, immutable.
 *
 * @param clientId         the client identifier (the record key)
 * @param nodeId           the node that wrote this state
 * @param expirySeconds    Session Expiry Interval in seconds; {@link #NEVER} (0xFFFFFFFF) never expires
 * @param endedAtMs        when the session's last connection ended (it is offline since then); null while it is
 *                         connected (a checkpoint)
 * @param subscriptions    its subscriptions, shared ones included
 * @param positions        served positions: per message-topic partition, the next offset not yet served to it;
 *                         messages before it were delivered, are in {@code inflight}, or did not match
 * @param inflight         QoS 1 and 2 messages sent to the client and not yet acknowledged
 * @param awaitingRelease  packet ids of inbound QoS 2 messages that Kafka has and that await PUBREL
 * @param will             the Will Message and its delay, or null
 */
public record SessionState(
        String clientId,
        String nodeId,
        long expirySeconds,
        Long endedAtMs,
        List<StoredSubscription> subscriptions,
        Map<PartitionId, Long> positions,
        List<StoredInflight> inflight,
        Set<Integer> awaitingRelease,
        StoredWill will) {

    /** The Session Expiry Interval that means "never" (MQTT 5 3.1.2.11.2; Clean Session 0 in 3.x). */
    public static final long NEVER = 0xFFFF_FFFFL;

    public SessionState {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(nodeId, "nodeId");
        subscriptions = List.copyOf(subscriptions);
        positions = Map.copyOf(positions);
        inflight = List.copyOf(inflight);
        awaitingRelease = Set.copyOf(awaitingRelease);
    }

    /** True when the connection ended and the session has outlived its expiry at {@code nowMs}. */
    public boolean expiredAt(long nowMs) {
        return endedAtMs != null && expirySeconds != NEVER && nowMs >= endedAtMs + expirySeconds * 1000;
    }

    /** The same state, ended (or not) at another time. */
    public SessionState withEndedAt(Long endedAt) {
        return new SessionState(clientId, nodeId, expirySeconds, endedAt, subscriptions, positions, inflight,
                awaitingRelease, will);
    }

    /** The same state without its will (it was published or cancelled). */
    public SessionState withoutWill() {
        return new SessionState(clientId, nodeId, expirySeconds, endedAtMs, subscriptions, positions, inflight,
                awaitingRelease, null);
    }

    /**
     * One subscription with its MQTT 5 options (3.8.3.1).
     *
     * @param filter          the topic filter as the client subscribed it ({@code $share/{name}/...} included)
     * @param subscriptionId  Subscription Identifier, 0 when none
     */
    public record StoredSubscription(String filter, int qos, boolean noLocal, boolean retainAsPublished,
                                     int retainHandling, int subscriptionId) {
        public StoredSubscription {
            Objects.requireNonNull(filter, "filter");
        }
    }

    /**
     * A message sent to the client and not yet acknowledged; resent with DUP (or its PUBREL resent) when the
     * session resumes (MQTT-4.4.0-1). The message itself is read again from Kafka.
     *
     * @param partition        where it is in Kafka ...
     * @param offset           ...
     * @param packetId         the packet identifier it was sent with
     * @param qos              the QoS it was sent with
     * @param retain           the RETAIN flag it was sent with
     * @param subscriptionIds  the Subscription Identifiers it was sent with
     * @param released         QoS 2: PUBREC came and PUBREL was sent; only PUBREL is resent
     */
    public record StoredInflight(PartitionId partition, long offset, int packetId, int qos, boolean retain,
                                 List<Integer> subscriptionIds, boolean released) {
        public StoredInflight {
            Objects.requireNonNull(partition, "partition");
            subscriptionIds = List.copyOf(subscriptionIds);
        }
    }

    /**
     * The Will Message (3.1.2.5), published when the session's connection ends without a normal DISCONNECT, after
     * {@code delaySeconds} (Will Delay Interval) or when the session ends, whichever is first.
     */
    public record StoredWill(InboundPublish message, long delaySeconds) {
        public StoredWill {
            Objects.requireNonNull(message, "message");
        }
    }
}
