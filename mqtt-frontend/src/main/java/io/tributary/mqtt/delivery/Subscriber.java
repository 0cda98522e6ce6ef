package io.tributary.mqtt.delivery;

import io.netty.util.concurrent.EventExecutor;
import java.util.List;

/** A connected client as the router sees it. */
public interface Subscriber {

    String clientId();

    /** The event loop that owns the client's connection. */
    EventExecutor executor();

    /**
     * Runs on {@link #executor()}: sends or queues the deliveries in order, then flushes once.
     *
     * @param seq  the number of the feed's poll they come from ({@link LocalRouter.Mark}), or {@link #SHARED}
     */
    void deliver(List<Delivery> deliveries, long seq);

    /** The poll number of deliveries from shared subscriptions, which do not come from the node's feed. */
    long SHARED = -1;
}
