package io.tributary.mqtt.session;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The clients connected to this node, by client identifier. A second connection with the same identifier
 * takes over: the registry hands back the previous connection so that it can be closed
 * (MQTT-3.1.4-2 / MQTT 5 reason 0x8E Session taken over).
 */
public final class ClientRegistry {

    /** A connected client as the registry sees it. */
    public interface Connection {
        /**
         * Closes the connection because another one took over its client identifier; with
         * {@code sessionDiscarded} the new one started a clean session, so this one's session ends. Any thread.
         */
        void takenOver(boolean sessionDiscarded);

        /** Closes the connection because the server is shutting down. Any thread. */
        void serverShuttingDown();

        /**
         * A claim of this client id with {@code epoch} was seen in Kafka (on any node, this one included): if it is
         * newer than this connection's own claim, the connection is closed as taken over, and with
         * {@code cleanStart} its session ends. Any thread.
         */
        void claimSeen(long epoch, boolean cleanStart);
    }

    private final ConcurrentMap<String, Connection> clients = new ConcurrentHashMap<>();

    /** Registers {@code connection} for {@code clientId}; returns the connection it replaced, or null. */
    public Connection register(String clientId, Connection connection) {
        return clients.put(clientId, connection);
    }

    /** Removes the client, but only if {@code connection} is still the registered one; true if it was. */
    public boolean unregister(String clientId, Connection connection) {
        return clients.remove(clientId, connection);
    }

    /** The connection registered for {@code clientId}, or null. */
    public Connection get(String clientId) {
        return clients.get(clientId);
    }

    public int size() {
        return clients.size();
    }

    public Collection<Connection> connections() {
        return clients.values();
    }
}
