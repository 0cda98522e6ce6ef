package io.tributary.mqtt.delivery;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.delivery.PartitionId;
import io.tributary.bridge.session.SessionState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Messages on their way to one connected client: QoS 0 sent as they come, QoS 1 and 2 within the client's
 * in-flight window (MQTT 5 Receive Maximum) with packet ids, the rest in a bounded queue; outbound topic aliases,
 * Message Expiry (decremented while queued, expired messages dropped) and the client's Maximum Packet Size (a
 * message too big for it is dropped for it). Event-loop confined: every method runs on the channel's event loop.
 */
public final class OutboundFlow {

    /** What one flow has to know about its client. */
    public record ClientLimits(boolean v5, int receiveMaximum, long maximumPacketSize, int topicAliasMaximum) {
    }

    /** What became of the messages for a client; counted by the caller. */
    public interface Counters {
        void sent();

        void queueFull();

        void expired();

        void tooLarge();
    }

    private enum State { AWAITING_PUBACK, AWAITING_PUBREC, AWAITING_PUBCOMP }

    private static final class Inflight {
        /** Null for a QoS 2 message of a resumed session that was already released (only PUBREL is resent). */
        final Delivery delivery;
        State state;
        /** Where a released message of a resumed session was; null otherwise. */
        final SessionState.StoredInflight stored;

        Inflight(Delivery delivery, State state, SessionState.StoredInflight stored) {
            this.delivery = delivery;
            this.state = state;
            this.stored = stored;
        }
    }

    private final ChannelHandlerContext ctx;
    private final ClientLimits client;
    private final int maxQueuedMessages;
    private final long maxQueuedBytes;
    private final Counters counters;
    private final LongSupplier clock;

    private final IntObjectHashMap<Inflight> inflight = new IntObjectHashMap<>();
    private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
    /** Retained messages for new subscriptions, not yet in the queue. */
    private final ArrayDeque<Delivery> atSubscribe = new ArrayDeque<>();
    private long queuedBytes;
    private int nextPacketId = 1;
    private Map<String, Integer> topicAliases;
    private ReleaseGate releaseGate = Runnable::run;

    /**
     * Decides when PUBREL is sent after a PUBREC: a persistent session first records in Kafka that the message
     * was received (so it is never sent again), then releases it.
     */
    @FunctionalInterface
    public interface ReleaseGate {
        void release(Runnable writePubRel);
    }

    public OutboundFlow(ChannelHandlerContext ctx, ClientLimits client, int maxQueuedMessages, long maxQueuedBytes,
                        Counters counters, LongSupplier clock) {
        this.ctx = ctx;
        this.client = client;
        this.maxQueuedMessages = maxQueuedMessages;
        this.maxQueuedBytes = maxQueuedBytes;
        this.counters = counters;
        this.clock = clock;
    }

    public void releaseGate(ReleaseGate gate) {
        this.releaseGate = gate;
    }

    /**
     * Sends or queues {@code delivery}; the caller flushes. With {@code bounded}, a delivery the queue has no room
     * for is dropped and counted (a slow subscriber loses it; publishers and other subscribers are not slowed);
     * without, the caller bounds what it hands over (catch-up from Kafka, in chunks).
     */
    public void deliver(Delivery delivery, boolean bounded) {
        if (mustQueue(delivery)) {
            if (bounded && full(delivery)) {
                counters.queueFull();
                delivery.abandoned();
                return;
            }
            queue.addLast(delivery);
            queuedBytes += delivery.message().payload().length;
            return;
        }
        send(delivery);
    }

    private boolean mustQueue(Delivery delivery) {
        return !queue.isEmpty() || !ctx.channel().isWritable()
                || (delivery.qos() > 0 && inflight.size() >= client.receiveMaximum());
    }

    private boolean full(Delivery delivery) {
        return queue.size() >= maxQueuedMessages
                || queuedBytes + delivery.message().payload().length > maxQueuedBytes;
    }

    /** True when {@link #deliver bounded} delivery would drop {@code delivery} for want of room. */
    public boolean wouldOverflow(Delivery delivery) {
        return mustQueue(delivery) && full(delivery);
    }

    /** True when the queue is at most half full (messages and bytes): room for another chunk of catch-up. */
    public boolean hasRoom() {
        return queue.size() <= maxQueuedMessages / 2 && queuedBytes <= maxQueuedBytes / 2;
    }

    /**
     * Retained messages for new subscriptions (MQTT-3.3.1-9): they enter the queue only as it has room, so that
     * {@code #} over a large retained set never floods it, and are sent by {@link #drain}. The caller flushes.
     */
    public void deliverAtSubscribe(List<Delivery> deliveries) {
        atSubscribe.addAll(deliveries);
        drain();
    }

    /**
     * Sends what the window and the channel allow from the queue, refilling it from the retained messages owed to
     * new subscriptions while it has room. Returns true if anything was written.
     */
    public boolean drain() {
        boolean wrote = drainQueue();
        while (!atSubscribe.isEmpty() && hasRoom()) {
            do {
                Delivery next = atSubscribe.pollFirst();
                queue.addLast(next);
                queuedBytes += next.message().payload().length;
            } while (!atSubscribe.isEmpty() && hasRoom());
            wrote |= drainQueue();
        }
        return wrote;
    }

    private boolean drainQueue() {
        boolean wrote = false;
        while (!queue.isEmpty() && ctx.channel().isWritable()) {
            Delivery next = queue.peekFirst();
            if (next.qos() > 0 && inflight.size() >= client.receiveMaximum()) {
                break;
            }
            queue.pollFirst();
            queuedBytes -= next.message().payload().length;
            wrote |= send(next);
        }
        return wrote;
    }

    private boolean send(Delivery delivery) {
        OutboundMessage message = delivery.message();
        Long expiryLeft = message.expiryLeftSeconds(clock.getAsLong());
        if (expiryLeft != null && expiryLeft <= 0) {
            counters.expired(); // MQTT-3.3.2-5
            delivery.completed(); // for nobody any more
            return false;
        }
        MqttProperties properties = client.v5() ? properties(delivery, expiryLeft) : MqttProperties.NO_PROPERTIES;
        String topic = message.topic();
        Integer alias = null;
        boolean newAlias = false;
        if (client.v5() && client.topicAliasMaximum() > 0) {
            // 3.3.2.3.4: reuse the topic's alias, or give it the next free one while there are any left
            if (topicAliases == null) {
                topicAliases = new HashMap<>();
            }
            alias = topicAliases.get(topic);
            if (alias == null && topicAliases.size() < client.topicAliasMaximum()) {
                alias = topicAliases.size() + 1; // 1..Topic Alias Maximum, MQTT-3.3.2-9
                newAlias = true;
            }
            if (alias != null) {
                properties.add(new MqttProperties.IntegerProperty(MqttPropertyType.TOPIC_ALIAS.value(), alias));
            }
        }
        String topicInPacket = alias != null && !newAlias ? "" : topic; // a known alias goes with an empty name
        long size = packetSize(client.v5(), topicInPacket, delivery.qos(), properties, message.payload().length);
        if (size > client.maximumPacketSize()) {
            counters.tooLarge(); // MQTT-3.1.2-25: never send more than the client accepts
            delivery.abandoned();
            return false;
        }
        if (newAlias) {
            topicAliases.put(topic, alias);
        }
        int packetId = 0;
        if (delivery.qos() > 0) {
            packetId = nextFreePacketId();
            inflight.put(packetId, new Inflight(delivery,
                    delivery.qos() == 1 ? State.AWAITING_PUBACK : State.AWAITING_PUBREC, null));
        }
        ctx.write(publish(topicInPacket, delivery, packetId, false, properties));
        counters.sent();
        if (delivery.qos() == 0) {
            delivery.completed();
        }
        return true;
    }

    private static MqttPublishMessage publish(String topic, Delivery delivery, int packetId, boolean dup,
                                              MqttProperties properties) {
        return new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(delivery.qos()), delivery.retain(),
                        0),
                new MqttPublishVariableHeader(topic, packetId, properties),
                Unpooled.wrappedBuffer(delivery.message().payload())); // shared, read-only: no copy per subscriber
    }

    /**
     * A resumed session: sends again, with DUP and its original packet id, a QoS 1 or 2 message the client had
     * not acknowledged (MQTT-4.4.0-1, MQTT-3.3.1-1). Not subject to the window: it was in flight already. A
     * message that expired or no longer fits the client is completed or abandoned as {@link #deliver} would.
     */
    public void resend(Delivery delivery, int packetId) {
        OutboundMessage message = delivery.message();
        Long expiryLeft = message.expiryLeftSeconds(clock.getAsLong());
        if (expiryLeft != null && expiryLeft <= 0) {
            counters.expired();
            delivery.completed();
            return;
        }
        MqttProperties properties = client.v5() ? properties(delivery, expiryLeft) : MqttProperties.NO_PROPERTIES;
        if (packetSize(client.v5(), message.topic(), delivery.qos(), properties, message.payload().length)
                > client.maximumPacketSize()) {
            counters.tooLarge();
            delivery.abandoned();
            return;
        }
        inflight.put(packetId, new Inflight(delivery,
                delivery.qos() == 1 ? State.AWAITING_PUBACK : State.AWAITING_PUBREC, null));
        ctx.write(publish(message.topic(), delivery, packetId, true, properties));
        counters.sent();
    }

    /** A resumed session: sends PUBREL again for a QoS 2 message the client had received (MQTT-4.4.0-1). */
    public void resendRelease(SessionState.StoredInflight stored) {
        inflight.put(stored.packetId(), new Inflight(null, State.AWAITING_PUBCOMP, stored));
        writePubRel(stored.packetId(), 0);
    }

    /**
     * What is in flight, for the session state: the non-shared QoS 1 and 2 messages sent and not acknowledged
     * (shared ones go back to their share when the connection ends).
     */
    public List<SessionState.StoredInflight> inflightState() {
        List<SessionState.StoredInflight> state = new ArrayList<>(inflight.size());
        for (IntObjectMap.PrimitiveEntry<Inflight> entry : inflight.entries()) {
            Inflight value = entry.value();
            if (value.stored != null) {
                state.add(value.stored);
                continue;
            }
            Delivery delivery = value.delivery;
            if (delivery.callback() != null) {
                continue;
            }
            OutboundMessage message = delivery.message();
            List<Integer> ids = new ArrayList<>(delivery.subscriptionIds().length);
            for (int id : delivery.subscriptionIds()) {
                ids.add(id);
            }
            state.add(new SessionState.StoredInflight(new PartitionId(message.kafkaTopic(), message.partition()),
                    message.offset(), entry.key(), delivery.qos(), delivery.retain(), ids,
                    value.state == State.AWAITING_PUBCOMP));
        }
        return state;
    }

    /**
     * Per partition, the offset of the oldest message of the feed (neither shared nor retained at subscribe time)
     * waiting in the queue: the session has not been served from there on (everything handed after it is queued
     * behind it).
     */
    public Map<PartitionId, Long> oldestQueued() {
        Map<PartitionId, Long> oldest = new HashMap<>();
        for (Delivery delivery : queue) {
            if (delivery.callback() == null && !delivery.atSubscribe()) {
                OutboundMessage message = delivery.message();
                oldest.putIfAbsent(new PartitionId(message.kafkaTopic(), message.partition()), message.offset());
            }
        }
        return oldest;
    }

    /** PUBACK from the client for a QoS 1 delivery. */
    public void onPubAck(int packetId) {
        Inflight entry = inflight.get(packetId);
        if (entry != null && entry.state == State.AWAITING_PUBACK) {
            inflight.remove(packetId);
            entry.delivery.completed();
        }
    }

    /** PUBREC: answer PUBREL (MQTT-4.3.3-4); with a failure reason code (MQTT 5) the flow ends here. */
    public void onPubRec(int packetId, int reasonCode) {
        Inflight entry = inflight.get(packetId);
        if (entry == null || entry.state == State.AWAITING_PUBACK) {
            // 4.3.3: PUBREL even for an id we do not know, with 0x92 in MQTT 5
            writePubRel(packetId, entry == null ? 0x92 : 0);
            return;
        }
        if (entry.state == State.AWAITING_PUBCOMP) {
            writePubRel(packetId, 0); // PUBREC again: PUBREL again
            return;
        }
        if (reasonCode >= 0x80) {
            inflight.remove(packetId);
            entry.delivery.completed(); // the client refused it: done, not to be sent elsewhere
            return;
        }
        entry.state = State.AWAITING_PUBCOMP;
        releaseGate.release(() -> writePubRel(packetId, 0));
    }

    /** PUBCOMP: the QoS 2 delivery is complete. */
    public void onPubComp(int packetId) {
        Inflight entry = inflight.get(packetId);
        if (entry != null && entry.state == State.AWAITING_PUBCOMP) {
            inflight.remove(packetId);
            if (entry.delivery != null) {
                entry.delivery.completed();
            }
        }
    }

    private void writePubRel(int packetId, int reasonCode) {
        MqttFixedHeader fixed = new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0);
        Object header = client.v5()
                ? new io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader(packetId, (byte) reasonCode,
                        MqttProperties.NO_PROPERTIES)
                : MqttMessageIdVariableHeader.from(packetId);
        ctx.write(new MqttMessage(fixed, header));
    }

    /**
     * The connection is gone with its session: what was queued was not delivered here; in flight, QoS 1 may go to
     * someone else (MQTT 5 4.8.2), QoS 2 must not (MQTT-4.8.2-5) and counts as done.
     */
    public void abandonAll() {
        for (Inflight entry : inflight.values()) {
            if (entry.delivery == null) {
                continue;
            }
            if (entry.delivery.qos() == 2) {
                entry.delivery.completed();
            } else {
                entry.delivery.abandoned();
            }
        }
        inflight.clear();
        Delivery queued;
        while ((queued = queue.pollFirst()) != null) {
            queued.abandoned();
        }
        queuedBytes = 0;
        atSubscribe.clear();
    }

    public int inflightCount() {
        return inflight.size();
    }

    public int queuedCount() {
        return queue.size() + atSubscribe.size();
    }

    private int nextFreePacketId() {
        // at most receiveMaximum (<= 65535) ids are in use, so a free one exists
        while (true) {
            int id = nextPacketId;
            nextPacketId = id == 65535 ? 1 : id + 1; // MQTT-2.2.1-3: non-zero
            if (!inflight.containsKey(id)) {
                return id;
            }
        }
    }

    private MqttProperties properties(Delivery delivery, Long expiryLeft) {
        MessageProperties p = delivery.message().properties();
        int[] ids = delivery.subscriptionIds();
        if (p == MessageProperties.NONE && ids.length == 0 && expiryLeft == null
                && client.topicAliasMaximum() == 0) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties properties = new MqttProperties();
        // MQTT-3.3.2-4 and following: the server forwards these unaltered
        if (p.payloadFormat() != null) {
            properties.add(new MqttProperties.IntegerProperty(
                    MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value(), p.payloadFormat()));
        }
        if (expiryLeft != null) {
            // MQTT-3.3.2-6: the interval the subscriber gets is what is left of it
            properties.add(new MqttProperties.IntegerProperty(
                    MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL.value(), (int) Math.min(expiryLeft, Integer.MAX_VALUE)));
        }
        if (p.contentType() != null) {
            properties.add(new MqttProperties.StringProperty(MqttPropertyType.CONTENT_TYPE.value(), p.contentType()));
        }
        if (p.responseTopic() != null) {
            properties.add(new MqttProperties.StringProperty(MqttPropertyType.RESPONSE_TOPIC.value(),
                    p.responseTopic()));
        }
        if (p.correlationData() != null) {
            properties.add(new MqttProperties.BinaryProperty(MqttPropertyType.CORRELATION_DATA.value(),
                    p.correlationData()));
        }
        for (Map.Entry<String, String> user : p.userProperties()) {
            properties.add(new MqttProperties.UserProperty(user.getKey(), user.getValue())); // MQTT-3.3.2-18: order
        }
        for (int id : ids) {
            properties.add(new MqttProperties.IntegerProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value(), id));
        }
        return properties;
    }

    /** The encoded size of a PUBLISH (2.1.4: fixed header with a variable byte integer remaining length). */
    static long packetSize(boolean v5, String topic, int qos, MqttProperties properties, int payloadLength) {
        long remaining = 2L + utf8Length(topic) + (qos > 0 ? 2 : 0) + payloadLength;
        if (v5) {
            long propertiesLength = propertiesLength(properties);
            remaining += varIntSize(propertiesLength) + propertiesLength;
        }
        return 1 + varIntSize(remaining) + remaining;
    }

    private static long propertiesLength(MqttProperties properties) {
        long length = 0;
        for (MqttProperties.MqttProperty<?> property : properties.listAll()) {
            length += 1; // identifier
            Object value = property.value();
            MqttPropertyType type = MqttPropertyType.valueOf(property.propertyId());
            switch (type) {
                case PAYLOAD_FORMAT_INDICATOR -> length += 1;
                case TOPIC_ALIAS -> length += 2;
                case PUBLICATION_EXPIRY_INTERVAL -> length += 4;
                case SUBSCRIPTION_IDENTIFIER -> length += varIntSize((Integer) value);
                case USER_PROPERTY -> {
                    // listAll() returns the user properties as one UserProperties entry
                    length -= 1;
                    for (MqttProperties.StringPair pair : ((MqttProperties.UserProperties) property).value()) {
                        length += 1 + 2 + utf8Length(pair.key) + 2 + utf8Length(pair.value);
                    }
                }
                case CORRELATION_DATA -> length += 2 + ((byte[]) value).length;
                default -> length += 2 + utf8Length((String) value);
            }
        }
        return length;
    }

    private static int varIntSize(long value) {
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }

    private static int utf8Length(String s) {
        int length = s.length();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return length;
    }
}
