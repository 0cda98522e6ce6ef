package io.tributary.bridge.session;

import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.delivery.PartitionId;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.bridge.session.SessionState.StoredInflight;
import io.tributary.bridge.session.SessionState.StoredSubscription;
import io.tributary.bridge.session.SessionState.StoredWill;
import io.tributary.schemas.session.InflightRecord;
import io.tributary.schemas.session.PositionRecord;
import io.tributary.schemas.session.SessionRecord;
import io.tributary.schemas.session.SessionStateRecord;
import io.tributary.schemas.session.SubscriptionRecord;
import io.tributary.schemas.session.UserPropertyRecord;
import io.tributary.schemas.session.WillRecord;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@link SessionState} to the Avro records of the sessions topic ({@code SessionRecord.avsc}) and back. The client
 * id and the writing node of a state are those of the enclosing {@link SessionRecord}, not repeated inside it.
 */
final class SessionRecords {

    private static final Comparator<PartitionId> PARTITION_ORDER =
            Comparator.comparing(PartitionId::topic).thenComparingInt(PartitionId::partition);

    private SessionRecords() {
    }

    /** A claim of {@code clientId} by {@code nodeId}, carrying {@code known} unless it is a clean start. */
    static SessionRecord claim(String clientId, String nodeId, Instant at, boolean cleanStart, SessionState known) {
        return SessionRecord.newBuilder()
                .setClientId(clientId).setNodeId(nodeId).setConnectedAt(at)
                .setEpoch(null).setCleanStart(cleanStart)
                .setState(cleanStart || known == null ? null : toRecord(known))
                .build();
    }

    /** {@code state} as the state of the claim {@code epoch}, written by {@code nodeId} at {@code at}. */
    static SessionRecord state(long epoch, String nodeId, Instant at, SessionState state) {
        return SessionRecord.newBuilder()
                .setClientId(state.clientId()).setNodeId(nodeId).setConnectedAt(at)
                .setEpoch(epoch).setCleanStart(false)
                .setState(toRecord(state))
                .build();
    }

    static SessionStateRecord toRecord(SessionState state) {
        return SessionStateRecord.newBuilder()
                .setExpirySeconds(state.expirySeconds())
                .setEndedAt(state.endedAtMs() == null ? null : Instant.ofEpochMilli(state.endedAtMs()))
                .setSubscriptions(state.subscriptions().stream()
                        .map(s -> new SubscriptionRecord(s.filter(), s.qos(), s.noLocal(), s.retainAsPublished(),
                                s.retainHandling(), s.subscriptionId()))
                        .toList())
                // sorted, so that the same state always encodes to the same bytes
                .setPositions(state.positions().entrySet().stream()
                        .sorted(Map.Entry.comparingByKey(PARTITION_ORDER))
                        .map(e -> new PositionRecord(e.getKey().topic(), e.getKey().partition(), e.getValue()))
                        .toList())
                .setInflight(state.inflight().stream()
                        .map(i -> new InflightRecord(i.partition().topic(), i.partition().partition(), i.offset(),
                                i.packetId(), i.qos(), i.retain(), i.subscriptionIds(), i.released()))
                        .toList())
                .setAwaitingRelease(state.awaitingRelease().stream().sorted().toList())
                .setWill(state.will() == null ? null : toRecord(state.will()))
                .build();
    }

    static SessionState fromRecord(String clientId, String nodeId, SessionStateRecord record) {
        Objects.requireNonNull(record, "record");
        Map<PartitionId, Long> positions = new LinkedHashMap<>();
        for (PositionRecord p : record.getPositions()) {
            positions.put(new PartitionId(p.getTopic(), p.getPartition()), p.getOffset());
        }
        return new SessionState(
                clientId,
                nodeId,
                record.getExpirySeconds(),
                record.getEndedAt() == null ? null : record.getEndedAt().toEpochMilli(),
                record.getSubscriptions().stream()
                        .map(s -> new StoredSubscription(s.getFilter(), s.getQos(), s.getNoLocal(),
                                s.getRetainAsPublished(), s.getRetainHandling(), s.getSubscriptionId()))
                        .toList(),
                positions,
                record.getInflight().stream()
                        .map(i -> new StoredInflight(new PartitionId(i.getTopic(), i.getPartition()), i.getOffset(),
                                i.getPacketId(), i.getQos(), i.getRetain(), i.getSubscriptionIds(), i.getReleased()))
                        .toList(),
                new HashSet<>(record.getAwaitingRelease()),
                record.getWill() == null ? null : fromRecord(record.getWill()));
    }

    private static WillRecord toRecord(StoredWill will) {
        InboundPublish message = will.message();
        MessageProperties properties = message.properties();
        return WillRecord.newBuilder()
                .setTopic(message.topic())
                .setPayload(ByteBuffer.wrap(message.payload().clone()))
                .setQos(message.qos())
                .setRetain(message.retain())
                .setClientId(message.clientId())
                .setUsername(message.username())
                .setCertSubject(message.certSubject())
                .setDelaySeconds(will.delaySeconds())
                .setPayloadFormat(properties.payloadFormat())
                .setContentType(properties.contentType())
                .setMessageExpirySeconds(properties.messageExpirySeconds())
                .setResponseTopic(properties.responseTopic())
                .setCorrelationData(properties.correlationData() == null
                        ? null : ByteBuffer.wrap(properties.correlationData().clone()))
                .setUserProperties(properties.userProperties().stream()
                        .map(p -> new UserPropertyRecord(p.getKey(), p.getValue()))
                        .toList())
                .build();
    }

    private static StoredWill fromRecord(WillRecord will) {
        MessageProperties properties = new MessageProperties(
                will.getPayloadFormat(),
                will.getContentType(),
                will.getMessageExpirySeconds(),
                will.getResponseTopic(),
                will.getCorrelationData() == null ? null : bytes(will.getCorrelationData()),
                will.getUserProperties().stream()
                        .map(p -> Map.entry(p.getKey(), p.getValue()))
                        .toList());
        return new StoredWill(new InboundPublish(will.getTopic(), bytes(will.getPayload()), will.getQos(),
                will.getRetain(), will.getClientId(), will.getUsername(), will.getCertSubject(),
                hasNone(properties) ? MessageProperties.NONE : properties), will.getDelaySeconds());
    }

    private static boolean hasNone(MessageProperties p) {
        return p.payloadFormat() == null && p.contentType() == null && p.messageExpirySeconds() == null
                && p.responseTopic() == null && p.correlationData() == null && p.userProperties().isEmpty();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
