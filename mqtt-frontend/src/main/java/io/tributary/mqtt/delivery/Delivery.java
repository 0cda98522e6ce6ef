package io.tributary.mqtt.delivery;

import io.tributary.bridge.delivery.OutboundMessage;

/**
 * One message for one subscriber, after its matching subscriptions were merged.
 *
 * @param message          what Kafka had
 * @param qos              granted QoS: min(publish QoS, highest QoS of the matching subscriptions)
 * @param retain           the RETAIN flag to send (live messages: only with Retain As Published)
 * @param subscriptionIds  Subscription Identifiers of the matching subscriptions that have one (MQTT-3.3.4-3/-4)
 */
public record Delivery(OutboundMessage message, int qos, boolean retain, int[] subscriptionIds) {

    static final int[] NO_IDS = new int[0];
}
