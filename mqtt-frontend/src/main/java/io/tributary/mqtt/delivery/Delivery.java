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
 */
public record Delivery(OutboundMessage message, int qos, boolean retain, int[] subscriptionIds,
                       Callback callback) {

    static final int[] NO_IDS = new int[0];

    public Delivery(OutboundMessage message, int qos, boolean retain, int[] subscriptionIds) {
        this(message, qos, retain, subscriptionIds, null);
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
