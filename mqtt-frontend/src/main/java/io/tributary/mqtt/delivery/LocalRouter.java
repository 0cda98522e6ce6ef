package io.tributary.mqtt.delivery;

import io.netty.util.concurrent.EventExecutor;
import io.tributary.bridge.delivery.DeliveryListener;
import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.topic.SubscriptionTree;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Broadcast mode (DESIGN.md, fan-out): every message the node reads from Kafka is matched against the
 * subscriptions of the clients connected to this node. Overlapping subscriptions of one client give one copy
 * with the highest granted QoS and every Subscription Identifier (MQTT-3.3.4-2 .. -4). Each poll's deliveries
 * reach an event loop as one task, which flushes each connection once.
 */
public final class LocalRouter implements DeliveryListener {

    private final SubscriptionTree<Subscriber, Subscription> subscriptions;

    public LocalRouter(SubscriptionTree<Subscriber, Subscription> subscriptions) {
        this.subscriptions = subscriptions;
    }

    /** What one message's matching subscriptions of one subscriber add up to. */
    private static final class Merge {
        int qos = -1;
        boolean retainAsPublished;
        int[] ids = Delivery.NO_IDS;

        void add(Subscription s) {
            qos = Math.max(qos, s.qos());
            retainAsPublished |= s.retainAsPublished();
            if (s.subscriptionId() != 0) {
                int[] more = java.util.Arrays.copyOf(ids, ids.length + 1);
                more[ids.length] = s.subscriptionId();
                ids = more;
            }
        }
    }

    @Override
    public void onMessages(List<OutboundMessage> batch) {
        Map<Subscriber, List<Delivery>> perSubscriber = new IdentityHashMap<>();
        Map<Subscriber, Merge> merges = new IdentityHashMap<>();
        for (OutboundMessage message : batch) {
            merges.clear();
            subscriptions.match(message.topic(), (subscriber, subscription) -> {
                if (subscription.noLocal() && subscriber.clientId().equals(message.publisherClientId())) {
                    return; // MQTT-3.8.3-3: not to the client that published it
                }
                merges.computeIfAbsent(subscriber, s -> new Merge()).add(subscription);
            });
            merges.forEach((subscriber, merge) -> perSubscriber
                    .computeIfAbsent(subscriber, s -> new ArrayList<>())
                    // granted QoS = min(publish QoS, subscription QoS); RETAIN only with Retain As Published
                    // (MQTT-3.3.1-12/-13 in 5.0, MQTT-3.3.1-9 in 3.1.1)
                    .add(new Delivery(message, Math.min(message.qos(), merge.qos),
                            merge.retainAsPublished && message.retain(), merge.ids)));
        }
        if (perSubscriber.isEmpty()) {
            return;
        }
        Map<EventExecutor, List<Map.Entry<Subscriber, List<Delivery>>>> perLoop = new IdentityHashMap<>();
        for (Map.Entry<Subscriber, List<Delivery>> entry : perSubscriber.entrySet()) {
            perLoop.computeIfAbsent(entry.getKey().executor(), e -> new ArrayList<>()).add(entry);
        }
        perLoop.forEach((loop, entries) -> loop.execute(() -> {
            for (Map.Entry<Subscriber, List<Delivery>> entry : entries) {
                entry.getKey().deliver(entry.getValue());
            }
        }));
    }
}
