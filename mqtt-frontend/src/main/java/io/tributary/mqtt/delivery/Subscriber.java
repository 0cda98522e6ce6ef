package io.tributary.mqtt.delivery;

import io.netty.util.concurrent.EventExecutor;
import java.util.List;

/** A connected client as the router sees it. */
public interface Subscriber {

    String clientId();

    /** The event loop that owns the client's connection. */
    EventExecutor executor();

    /** Runs on {@link #executor()}: sends or queues the deliveries in order, then flushes once. */
    void deliver(List<Delivery> deliveries);
}
