package io.tributary.mqtt.delivery;

/**
 * One subscription of one client, with its MQTT 5 options (3.8.3.1); MQTT 3.x subscriptions have the defaults.
 *
 * @param filter            the topic filter
 * @param qos               maximum QoS granted
 * @param noLocal           do not deliver the client's own messages
 * @param retainAsPublished keep the RETAIN flag of the publisher
 * @param retainHandling    0, 1 or 2: when retained messages are sent at subscribe time
 * @param subscriptionId    Subscription Identifier, 0 when there is none
 * @param shareName         the ShareName of a shared subscription ({@code $share/{ShareName}/{filter}}), or null
 */
public record Subscription(String filter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling,
                           int subscriptionId, String shareName) {

    public boolean shared() {
        return shareName != null;
    }
}
