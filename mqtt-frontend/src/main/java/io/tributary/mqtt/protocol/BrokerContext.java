package io.tributary.mqtt.protocol;

import io.tributary.bridge.publish.MessagePublisher;
import io.tributary.bridge.delivery.MessageReplay;
import io.tributary.bridge.session.SessionStore;
import io.tributary.bridge.topic.SubscriptionTree;
import io.tributary.mqtt.auth.Authenticator;
import io.tributary.mqtt.delivery.LocalRouter;
import io.tributary.mqtt.delivery.SharedSubscriptions;
import io.tributary.mqtt.delivery.Subscriber;
import io.tributary.mqtt.delivery.Subscription;
import io.tributary.mqtt.session.ClientRegistry;
import io.tributary.bridge.events.ClientEvents;
import io.tributary.bridge.retained.RetainedStore;
import io.tributary.bridge.routing.SubscriptionRouting;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What every connection of one broker node shares.
 *
 * @param settings           protocol limits
 * @param authenticator      who may connect
 * @param registry           the clients connected to this node
 * @param publisher          the way into Kafka
 * @param clientIdGenerator  identifiers for clients that connect with an empty one
 * @param metrics            counters
 * @param subscriptions      the subscriptions of the clients connected to this node
 * @param sessions           sessions and their owners in Kafka (takeover across nodes, persistent sessions)
 * @param shared             the shared subscriptions of the clients connected to this node
 * @param router             matches what the node's feed reads against {@code subscriptions}
 * @param replay             reads messages again for sessions that resume
 * @param retained           the retained messages this node serves to new subscriptions
 * @param events             where connections that begin and end are announced
 * @param routing            tells the cluster the filters of this node's clients (routed mode)
 * @param nodeId             this node's identity
 */
public record BrokerContext(
        ProtocolSettings settings,
        Authenticator authenticator,
        ClientRegistry registry,
        MessagePublisher publisher,
        Supplier<String> clientIdGenerator,
        ProtocolMetrics metrics,
        SubscriptionTree<Subscriber, Subscription> subscriptions,
        SessionStore sessions,
        SharedSubscriptions shared,
        LocalRouter router,
        MessageReplay replay,
        RetainedStore retained,
        ClientEvents events,
        SubscriptionRouting routing,
        String nodeId) {

    public BrokerContext {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(publisher, "publisher");
        Objects.requireNonNull(clientIdGenerator, "clientIdGenerator");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(subscriptions, "subscriptions");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(shared, "shared");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(replay, "replay");
        Objects.requireNonNull(retained, "retained");
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(nodeId, "nodeId");
    }
}
