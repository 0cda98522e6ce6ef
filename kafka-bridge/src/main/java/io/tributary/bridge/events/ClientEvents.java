package io.tributary.bridge.events;

/**
 * Where a node tells the cluster that connections began and ended (the events topic, read by the presence app).
 * Never blocks and never fails the caller: an event that cannot be written is logged and counted.
 */
public interface ClientEvents {

    /**
     * A connection of {@code clientId} was accepted (CONNACK sent).
     *
     * @param epoch            the connection's epoch (its claim's offset): a newer connection has a higher one
     * @param username         the authenticated user name, or null
     * @param protocolVersion  3 (3.1), 4 (3.1.1) or 5
     * @param remoteAddress    host:port of the client, or null
     */
    void connected(String clientId, long epoch, String username, int protocolVersion, String remoteAddress);

    /** The connection of {@code clientId} with this epoch ended, for whatever reason. */
    void disconnected(String clientId, long epoch, String username, int protocolVersion, String remoteAddress);

    /** Events go nowhere. */
    ClientEvents NONE = new ClientEvents() {
        @Override
        public void connected(String clientId, long epoch, String username, int protocolVersion,
                              String remoteAddress) {
        }

        @Override
        public void disconnected(String clientId, long epoch, String username, int protocolVersion,
                                 String remoteAddress) {
        }
    };
}
