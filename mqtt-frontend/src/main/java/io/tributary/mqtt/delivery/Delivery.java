package io.tributary.mqtt.delivery;

import io.tributary.bridge.delivery.OutboundMessage;

/**
 * One message for one subscriber, after its matching subscriptions were merged.
 *
 * @param message          what Kafka had
 * @param qos              granted QoS: min(publish QoS, highest QoS of the matching subscriptions)
 * @param retain           the RETAIN flag to send (live messages: only with Retain As Published)
 * @param subscriptionIds  Subscription Identifiers of the matching subscriptions that have one (MQTT-3.3.4-3/-4)
 * @param callback         told when the client is done with it or it could not be delivered; null when nobody
 *                         waits (shared subscriptions use it to commit or hand the message to another member)
 * @param atSubscribe      a retained message sent because of a new subscription, not one read by the feed: it
 *                         says nothing of how far the session has been served
 */
public record Delivery(OutboundMessage message, int qos, boolean retain, int[] subscriptionIds,
                       Callback callback, boolean atSubscribe) {

    static final int[] NO_IDS = new int[0];

    public Delivery(OutboundMessage message, int qos, boolean retain, int[] subscriptionIds) {
        this(message, qos, retain, subscriptionIds, null, false);
    }

    public Delivery(OutboundMessage message, int qos, boolean retain, int[] subscriptionIds, Callback callback) {
        this(message, qos, retain, subscriptionIds, callback, false);
    }

    /**
     * A retained message for a new subscription: RETAIN set (MQTT-3.3.1-9), QoS the lower of the message's and
     * the subscription's, and the subscription's identifier if it has one.
     */
    public static Delivery retained(OutboundMessage message, Subscription subscription) {
        int[] ids = subscription.subscriptionId() > 0 ? new int[] {subscription.subscriptionId()} : NO_IDS;
        return new Delivery(message, Math.min(message.qos(), subscription.qos()), true, ids, null, true);
    }

    /** What became of a delivery; called on the subscriber's event loop. */
    public interface Callback {
        /** Delivered and acknowledged (QoS 1: PUBACK, QoS 2: PUBCOMP, QoS 0: written), or expired. */
        void completed(Delivery delivery);

        /** Not delivered to this subscriber (queue full, too large for it, connection gone): try another. */
        void abandoned(Delivery delivery);
    }

    public void completed() {
        if (callback != null) {
            callback.completed(this);
        }
    }

    public void abandoned() {
        if (callback != null) {
            callback.abandoned(this);
        }
    }
}
